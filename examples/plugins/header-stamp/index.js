// example.header-stamp: a complete third-party dgp-gateway filter in plain JavaScript, with no build step and no
// dependency. It imports nothing from the gateway: statuses are the plain strings 'continue' and 'stop'.

/** Hand-written JSON Schema: the host validates the config and applies `default`s before calling create(). */
const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['value'],
  properties: {
    header: {
      type: 'string',
      description: 'Response header to set (an HTTP token; stored lower-case).',
      pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
      default: 'x-stamp',
    },
    value: {
      type: 'string',
      description: 'Value of the header; no CR, LF or NUL.',
      pattern: '^[^\\r\\n\\u0000]*$',
    },
  },
};

export default {
  kind: 'example.header-stamp',
  apiVersion: 1,
  description: 'Stamps one header on every response (example plugin).',
  configSchema,
  /** Runs once per config generation; the returned hooks hold no per-request state. */
  create(config) {
    // Response header names are lower-case on the request context (multi-value headers are arrays).
    const header = config.header.toLowerCase();
    const value = config.value;
    return {
      // encode runs on the way out (reverse config order), so a local reply of a filter listed after this one is
      // stamped too; 'stop' here would skip the encode hooks of the filters listed before it.
      encode(ctx) {
        ctx.response.headers[header] = value;
        return 'continue';
      },
    };
  },
};

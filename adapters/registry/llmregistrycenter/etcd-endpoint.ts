// The etcd key layout: `<key_prefix><cluster>/<endpoint-id>` → the endpoint as JSON (conf.yaml's endpoint shape,
// EndpointInput). The cluster and id come from the key; the value is checked against a schema and a bad one is
// skipped with DGP_ERR_REGISTRY_BAD_ENTRY (it never takes the registry down).
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { DgpError, type EndpointInput } from '../../../core/index.js';
import type { DesiredEndpoint } from './endpoint-sync.js';

const StrMap = Type.Record(Type.String(), Type.String());

export const EtcdEndpointSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'Must equal the id in the key when given.' })),
    name: Type.Optional(Type.String()),
    socket_address: Type.Optional(
      Type.Object(
        {
          address: Type.Optional(Type.String()),
          port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
          domains: Type.Optional(Type.Array(Type.String({ pattern: '^[^/:]+(:[0-9]+)?$' }))),
        },
        { additionalProperties: false },
      ),
    ),
    meta: Type.Optional(StrMap),
    llm_meta: Type.Optional(
      Type.Object({
        provider: Type.Optional(Type.String()),
        api_key: Type.Optional(Type.String()),
        fallback: Type.Optional(Type.Boolean()),
        health_check_interval: Type.Optional(Type.Integer({ minimum: 0 })),
        retry_policy: Type.Optional(Type.Object({ name: Type.String(), config: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }, { additionalProperties: false })),
        scheme: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('https')])),
      }),
    ),
    unhealthy: Type.Optional(Type.Boolean({ description: 'true leaves the endpoint out, like an unhealthy Nacos instance.' })),
  },
  { additionalProperties: false },
);

const validator = Compile(EtcdEndpointSchema);

export type EtcdEntry = { ok: true; endpoint: DesiredEndpoint | undefined } | { ok: false; error: DgpError };

/** The cluster and endpoint id a key names, or undefined when it does not follow `<prefix><cluster>/<id>`. */
export function parseEndpointKey(prefix: string, key: string): { cluster: string; id: string } | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  return { cluster: rest.slice(0, slash), id: rest.slice(slash + 1) };
}

/**
 * One key/value: `endpoint` is what to register (undefined for `unhealthy: true`), or an error saying what is wrong.
 */
export function parseEndpointEntry(prefix: string, key: string, value: string): EtcdEntry {
  const bad = (why: string): EtcdEntry => ({
    ok: false,
    error: new DgpError('DGP_ERR_REGISTRY_BAD_ENTRY', `etcd key ${key}: ${why}; the entry is skipped`, { details: { key } }),
  });
  const where = parseEndpointKey(prefix, key);
  if (where === undefined) return bad(`not of the form ${prefix}<cluster>/<endpoint-id>`);
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return bad(`the value is not JSON: ${JSON.stringify(value.slice(0, 80))}`);
  }
  if (!validator.Check(json)) {
    const first = [...validator.Errors(json)][0] as { instancePath?: string; message?: string } | undefined;
    return bad(`the value is not an endpoint: ${first?.instancePath || '/'} ${first?.message ?? 'is invalid'}`);
  }
  const input = json as EndpointInput;
  if (input.id !== undefined && input.id !== where.id) return bad(`the value's id "${input.id}" differs from the id in the key "${where.id}"`);
  if (input.unhealthy === true) return { ok: true, endpoint: undefined };
  const { unhealthy: _drop, ...rest } = input;
  return { ok: true, endpoint: { cluster: where.cluster, input: { ...rest, id: where.id } } };
}

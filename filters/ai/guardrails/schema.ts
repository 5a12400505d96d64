// Config schema of dgp.filter.ai.guardrails: the checks on the prompt (input) and on the answer (output), each with
// an action, and the stream hold-back. One object shape for every check kind; compile.ts rejects fields a kind does not
// use. README.md and docs/guardrails.md document every field.
import Type, { type Static, type TLiteral } from 'typebox';
import { PII_ENTITIES, SECRET_KINDS } from './detect/builtins.js';

const GO_DURATION = '^(0|([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h)(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h))*)$';
const Duration = (description: string, def: string) =>
  Type.Union([Type.String({ pattern: GO_DURATION }), Type.Number({ minimum: 0 })], {
    description: `${description} A Go-style duration ("500ms", "2s") or a number of milliseconds. Default: ${def}.`,
  });

export const CHECKS = ['pii', 'secrets', 'deny', 'allow', 'max_tokens', 'webhook'] as const;
export type CheckKind = (typeof CHECKS)[number];

const lit = <const T extends readonly string[]>(values: T) => values.map((v) => Type.Literal(v)) as unknown as { -readonly [K in keyof T]: TLiteral<T[K]> };

export const CustomPatternSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$', description: 'Names the entity in metrics and logs; the redaction label is [NAME] upper-cased unless label is set.' }),
    pattern: Type.String({ minLength: 1, maxLength: 4096, description: 'A regular expression (JavaScript syntax; a leading (?i), (?s) or (?m) is read as a flag). Runs in the worker pool with the check\'s budget.' }),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Replacement text under redact. Default: [NAME].' })),
  },
  { additionalProperties: false, description: 'A named pattern: a national ID, an employee number, a project code.' },
);

export const CheckSchema = Type.Object(
  {
    check: Type.Union(lit(CHECKS), { description: 'pii, secrets, deny, allow, max_tokens or webhook.' }),
    name: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$', description: 'The rule name clients, logs and metrics see (never the matched text). Default: the check kind (with #n when it repeats).' })),
    action: Type.Optional(
      Type.Union(lit(['block', 'redact', 'warn'] as const), {
        description: 'block: refuse (input: 400 content_filter; output: the answer ends as filtered). redact: mask the match in place (pii, secrets, deny; webhook: its transformed text). warn: log, count and set x-dgp-guardrail-warn. Default: redact for pii, block for the others.',
      }),
    ),
    entities: Type.Optional(Type.Array(Type.Union(lit(PII_ENTITIES)), { minItems: 1, uniqueItems: true, description: 'pii: the entities to find. Default: all of them.' })),
    custom: Type.Optional(Type.Array(CustomPatternSchema, { maxItems: 64, description: 'pii: named patterns found beside the entities.' })),
    kinds: Type.Optional(Type.Array(Type.Union(lit(SECRET_KINDS)), { minItems: 1, uniqueItems: true, description: 'secrets: the kinds to find. Default: all of them.' })),
    patterns: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { maxItems: 256, description: 'deny / allow: regular expressions (JavaScript syntax; a leading (?i) is read as the i flag). Run in the worker pool with the budget.' })),
    words: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 10000, description: 'deny / allow: words or phrases matched whole and case-insensitively (any script).' })),
    roles: Type.Optional(Type.Array(Type.Union(lit(['user', 'system', 'assistant', 'tool'] as const)), { minItems: 1, uniqueItems: true, description: 'Input: whose text is checked. Default: every role.' })),
    scope: Type.Optional(Type.Union(lit(['last', 'all'] as const), { description: 'Input: the last message only, or the whole history (and the system prompt). Default: all.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, description: 'max_tokens: the most prompt tokens allowed.' })),
    url: Type.Optional(Type.String({ pattern: '^https?://', description: 'webhook: where the check POSTs (Portkey webhook request shape).' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'webhook: extra request headers (e.g. authorization).' })),
    timeout: Type.Optional(Duration('webhook: how long to wait for the verdict.', '3s')),
    budget: Type.Optional(Duration('Regex checks: the time their patterns may run in the worker pool for one request.', '250ms')),
    fail: Type.Optional(Type.Union(lit(['open', 'closed'] as const), { description: 'When the check cannot decide (webhook timeout or error, regex budget spent): open lets the text pass (logged and counted), closed acts as if it fired with block. Default: closed.' })),
  },
  { additionalProperties: false },
);

export const GuardrailsConfigSchema = Type.Object(
  {
    input: Type.Array(CheckSchema, { default: [], maxItems: 64, description: 'Checks on the prompt, before the cache and the upstream, in order.' }),
    output: Type.Array(CheckSchema, { default: [], maxItems: 64, description: 'Checks on the answer, unary and streamed, in order.' }),
    stream_holdback_chars: Type.Integer({ minimum: 16, maximum: 65536, default: 256, description: 'Characters of streamed text held back while checks run; text is released only once it is this far behind the newest text. Must cover the longest match a check should see whole.' }),
    stream_max_hold_chars: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024, default: 1024 * 1024, description: 'The most characters of a stream (or of one tool call\'s arguments) held at once: a match still growing at this size is redacted or blocked as it stands; a webhook output check fails by its fail setting.' }),
    refusal_message: Type.String({ maxLength: 1024, default: 'The response was blocked by a content policy.', description: 'Text a blocked unary answer carries in place of its content.' }),
    warn_header: Type.Boolean({ default: true, description: 'Set x-dgp-guardrail-warn (the warned rule names) on answers whose head has not been sent yet.' }),
  },
  { additionalProperties: false },
);

export type CheckConfig = Static<typeof CheckSchema>;
export type GuardrailsConfig = Static<typeof GuardrailsConfigSchema>;

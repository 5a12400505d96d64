// Config schema of the keys filter's `jwt` block (JWT client identity); the JwtConfig type comes from it.
// docs/keys-and-budgets.md documents every field.
import Type, { type Static } from 'typebox';

const StringOrList = (description: string) =>
  Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], { description });
const ClaimPath = (description: string) => Type.Optional(Type.String({ minLength: 1, description }));

export const JWT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA', 'HS256'] as const;

export const JwtClaimMapSchema = Type.Object(
  {
    subject: ClaimPath('Claim naming the caller; the principal key id is jwt:<value>. Default: sub.'),
    team: ClaimPath('Claim (name or dot path) holding the team id.'),
    user: ClaimPath('Claim holding the user id.'),
    alias: ClaimPath('Claim holding a display name.'),
    models: ClaimPath('Claim holding the allowed models: an array, or one string separated by spaces or commas.'),
    budget_tier: ClaimPath('Claim holding the budget tier name.'),
  },
  { additionalProperties: false, description: 'Where each principal field comes from: a claim name, or a dot path into nested claims.' },
);

export const JwtConfigSchema = Type.Object(
  {
    jwks_file: Type.Optional(Type.String({ minLength: 1, description: 'Path of a JWKS JSON file ({"keys": [...]}).' })),
    jwks_url: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'URL of a JWKS; fetched, cached, refetched for an unknown kid after the cooldown.' }),
    ),
    hs256_secret: Type.Optional(Type.String({ description: 'Shared secret for HS256 tokens (use ${ENV}); HS256 is refused without it.' })),
    issuer: Type.Optional(StringOrList('Accepted iss value(s); unchecked when absent.')),
    audience: Type.Optional(StringOrList('Accepted aud value(s); unchecked when absent.')),
    algorithms: Type.Optional(
      Type.Array(Type.Union([Type.Literal('RS256'), Type.Literal('ES256'), Type.Literal('EdDSA'), Type.Literal('HS256')]), {
        minItems: 1,
        description: 'Accepted algorithms. Default: RS256, ES256, EdDSA with a JWKS, plus HS256 with a secret.',
      }),
    ),
    clock_skew_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 600, default: 30, description: 'Tolerance for exp and nbf, seconds.' })),
    require_exp: Type.Optional(Type.Boolean({ default: true, description: 'Reject tokens without exp.' })),
    jwks_cooldown_ms: Type.Optional(Type.Integer({ minimum: 0, default: 30000, description: 'Shortest time between two JWKS fetches caused by unknown kids.' })),
    jwks_max_age_ms: Type.Optional(Type.Integer({ minimum: 1000, default: 600000, description: 'A fetched JWKS is refetched when older than this.' })),
    jwks_timeout_ms: Type.Optional(Type.Integer({ minimum: 100, default: 5000, description: 'JWKS fetch timeout.' })),
    claims: Type.Optional(JwtClaimMapSchema),
  },
  { additionalProperties: false, description: 'Accept JWTs from an identity provider as client credentials.' },
);

export type JwtConfig = Static<typeof JwtConfigSchema>;
export type JwtClaimMap = Static<typeof JwtClaimMapSchema>;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

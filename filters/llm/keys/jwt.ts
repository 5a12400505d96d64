// JWT client identity with `jose`: RS256 / ES256 / EdDSA tokens verified against a local JWKS file or a JWKS URL
// (fetched, cached, refetched when an unknown `kid` shows up after the cooldown: key rotation), HS256 against a shared
// secret; `iss`, `aud`, `exp`, `nbf` checked with a clock skew; configured claim paths mapped to a Principal. Error
// messages say which check failed and never contain the token.
import { readFile } from 'node:fs/promises';
import {
  createLocalJWKSet, createRemoteJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey,
} from 'jose';
import type { JwtAlgorithm, JwtClaimMap, JwtConfig } from './jwt-schema.js';
import { NO_LIMITS, type Principal } from './principal.js';
import { jwksUnavailable, jwtConfigInvalid, jwtInvalid } from './errors.js';

export type { JwtAlgorithm, JwtClaimMap, JwtConfig } from './jwt-schema.js';

const ASYMMETRIC: readonly JwtAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

export interface VerifiedJwt {
  principal: Principal;
  claims: JWTPayload;
}

export interface JwtVerifier {
  verify(token: string): Promise<VerifiedJwt>;
}

export async function createJwtVerifier(cfg: JwtConfig): Promise<JwtVerifier> {
  if (cfg.jwks_file !== undefined && cfg.jwks_url !== undefined) {
    throw jwtConfigInvalid('jwt: set one of jwks_file and jwks_url, not both');
  }
  let jwks: JWTVerifyGetKey | undefined;
  if (cfg.jwks_file !== undefined) jwks = createLocalJWKSet(await readJwksFile(cfg.jwks_file));
  if (cfg.jwks_url !== undefined) {
    jwks = createRemoteJWKSet(new URL(cfg.jwks_url), {
      cooldownDuration: cfg.jwks_cooldown_ms ?? 30_000,
      cacheMaxAge: cfg.jwks_max_age_ms ?? 600_000,
      timeoutDuration: cfg.jwks_timeout_ms ?? 5000,
    });
  }
  const secret = cfg.hs256_secret === undefined || cfg.hs256_secret === '' ? undefined : new TextEncoder().encode(cfg.hs256_secret);
  const algorithms = cfg.algorithms ?? [...(jwks ? ASYMMETRIC : []), ...(secret ? (['HS256'] as const) : [])];
  if (jwks === undefined && secret === undefined) throw jwtConfigInvalid('jwt: set jwks_file, jwks_url or hs256_secret');
  if (algorithms.includes('HS256') && secret === undefined) throw jwtConfigInvalid('jwt: HS256 needs hs256_secret');
  if (algorithms.some((a) => a !== 'HS256') && jwks === undefined) throw jwtConfigInvalid('jwt: RS256/ES256/EdDSA need jwks_file or jwks_url');

  const getKey: JWTVerifyGetKey = (header, token) => (header.alg === 'HS256' ? secret! : jwks!(header, token));
  const options = {
    algorithms,
    clockTolerance: cfg.clock_skew_seconds ?? 30,
    requiredClaims: cfg.require_exp === false ? [] : ['exp'],
    ...(cfg.issuer === undefined ? {} : { issuer: cfg.issuer }),
    ...(cfg.audience === undefined ? {} : { audience: cfg.audience }),
  };
  const claims = cfg.claims ?? {};
  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        payload = (await jwtVerify(token, getKey, options)).payload;
      } catch (err) {
        throw describe(err);
      }
      return { principal: principalOfClaims(payload, claims), claims: payload };
    },
  };
}

async function readJwksFile(path: string): Promise<JSONWebKeySet> {
  try {
    const jwks = JSON.parse(await readFile(path, 'utf8')) as JSONWebKeySet;
    if (!Array.isArray(jwks.keys)) throw new Error('no "keys" array');
    return jwks;
  } catch (err) {
    throw jwtConfigInvalid(`jwt: cannot read the JWKS file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** A jose failure as a coded error that names the failed check (jose's messages never include the token). */
function describe(err: unknown): Error {
  const e = err as { code?: string; claim?: string; reason?: string; message?: string };
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return jwtInvalid('the token has expired (exp is in the past beyond the allowed clock skew)', { cause: err });
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return jwtInvalid(`the token's "${e.claim}" claim was rejected: ${e.message}`, { cause: err });
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return jwtInvalid('the token signature does not verify', { cause: err });
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return jwtInvalid(`the token's signing algorithm is not accepted: ${e.message}`, { cause: err });
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return jwtInvalid(`no key in the JWKS matches the token's kid/alg: ${e.message}`, { cause: err });
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
    case 'ERR_JOSE_GENERIC':
      return jwksUnavailable(`the JWKS could not be loaded: ${e.message}`, { cause: err });
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return jwtInvalid(`the token is malformed or unsupported: ${e.message}`, { cause: err });
    default:
      // A fetch that failed below jose (connection refused, DNS) surfaces as a plain TypeError.
      if (err instanceof TypeError) return jwksUnavailable(`the JWKS could not be fetched: ${err.message}`, { cause: err });
      return jwtInvalid('the token could not be verified', { cause: err });
  }
}

function claimAt(payload: JWTPayload, path: string | undefined): unknown {
  if (path === undefined) return undefined;
  if (path in payload) return payload[path];
  let v: unknown = payload;
  for (const part of path.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

const str = (v: unknown): string | null => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);

function listClaim(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((m): m is string => typeof m === 'string');
  if (typeof v === 'string') return v.split(/[\s,]+/).filter((m) => m !== '');
  return [];
}

export function principalOfClaims(payload: JWTPayload, map: JwtClaimMap): Principal {
  const subject = str(claimAt(payload, map.subject ?? 'sub'));
  if (subject === null) throw jwtInvalid(`the token has no "${map.subject ?? 'sub'}" claim to identify the caller`);
  return {
    key_id: `jwt:${subject}`,
    source: 'jwt',
    alias: str(claimAt(payload, map.alias)),
    team: str(claimAt(payload, map.team)),
    user: str(claimAt(payload, map.user)),
    end_user: null,
    metadata: {},
    models: listClaim(claimAt(payload, map.models)),
    routes: [],
    expires_at: typeof payload.exp === 'number' ? payload.exp * 1000 : null,
    blocked: false,
    budget_tier: str(claimAt(payload, map.budget_tier)),
    limits: NO_LIMITS,
  };
}

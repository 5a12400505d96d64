// JWT verification with keys made in the test: a JWKS file, a JWKS served on 127.0.0.1 (rotation picked up), HS256;
// every rejection is a coded 401 naming the failed check without echoing the token; claims map to a principal.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import t from 'tap';
import { createJwtVerifier } from '../../../../filters/llm/keys/jwt.js';

const dir = mkdtempSync(join(tmpdir(), 'dgp-jwt-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const nowS = () => Math.floor(Date.now() / 1000);

async function keyPair(alg: 'RS256' | 'ES256' | 'EdDSA', kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } as JWK };
}

function sign(key: { alg: string; kid?: string; privateKey: CryptoKey | Uint8Array }, claims: Record<string, unknown> = {}, opts: { exp?: number | null } = {}) {
  const jwt = new SignJWT({ sub: 'alice', iss: 'https://idp.example', aud: 'dgp', ...claims })
    .setProtectedHeader({ alg: key.alg, ...(key.kid ? { kid: key.kid } : {}) })
    .setIssuedAt();
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? nowS() + 600);
  return jwt.sign(key.privateKey);
}

const base = { issuer: 'https://idp.example', audience: 'dgp' };

t.test('RS256, ES256 and EdDSA tokens verify against a JWKS file and map claims to a principal', async (t) => {
  const keys = await Promise.all([keyPair('RS256', 'r1'), keyPair('ES256', 'e1'), keyPair('EdDSA', 'd1')]);
  const file = join(dir, 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  const v = await createJwtVerifier({
    ...base, jwks_file: file,
    claims: { team: 'org.team', user: 'email', models: 'scope_models', budget_tier: 'tier', alias: 'https://dgp.example/alias' },
  });
  for (const k of keys) {
    const token = await sign(k, { org: { team: 'a' }, email: 'alice@example.com', scope_models: 'gpt-4o-mini claude-*', tier: 'gold', 'https://dgp.example/alias': 'al' });
    const { principal, claims } = await v.verify(token);
    t.match(principal, {
      key_id: 'jwt:alice', source: 'jwt', team: 'a', user: 'alice@example.com', alias: 'al',
      models: ['gpt-4o-mini', 'claude-*'], budget_tier: 'gold', blocked: false, end_user: null,
    }, k.alg);
    t.equal(principal.expires_at, (claims.exp as number) * 1000);
  }
  const arr = await v.verify(await sign(keys[0]!, { scope_models: ['a', 'b'] }));
  t.same(arr.principal.models, ['a', 'b']);
  t.equal(arr.principal.team, null);
});

t.test('expired, not yet valid, wrong audience or issuer, bad signature, alg none: each a 401 that names the check', async (t) => {
  const k = await keyPair('ES256', 'e1');
  const other = await keyPair('ES256', 'e1');
  const file = join(dir, 'one.json');
  writeFileSync(file, JSON.stringify({ keys: [k.jwk] }));
  const v = await createJwtVerifier({ ...base, jwks_file: file, clock_skew_seconds: 30 });
  const reject = async (token: string, message: RegExp, name: string) => {
    const err = (await v.verify(token).then(() => undefined, (e: unknown) => e)) as Error & { code: string; status: number };
    t.match(err, { code: 'DGP_ERR_KEYS_JWT_INVALID', status: 401, message }, name);
    t.notOk(err?.message.includes(token), `${name}: the message does not echo the token`);
  };
  await reject(await sign(k, {}, { exp: nowS() - 60 }), /expired/, 'expired');
  t.ok(await v.verify(await sign(k, {}, { exp: nowS() - 10 })), 'expired by less than the skew still passes');
  await reject(await sign(k, { nbf: nowS() + 120 }), /"nbf" claim/, 'not yet valid');
  t.ok(await v.verify(await sign(k, { nbf: nowS() + 10 })), 'nbf within the skew passes');
  await reject(await sign(k, { aud: 'someone-else' }), /"aud" claim/, 'wrong audience');
  await reject(await sign(k, { iss: 'https://evil.example' }), /"iss" claim/, 'wrong issuer');
  await reject(await sign(other), /signature does not verify/, 'signed by another key with the same kid');
  await reject(await sign(k, {}, { exp: null }), /"exp" claim/, 'no exp');
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  await reject(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', exp: nowS() + 60, iss: base.issuer, aud: 'dgp' })}.`, /algorithm is not accepted|malformed/, 'alg none');
  await reject('not-a-jwt', /malformed/, 'garbage');
  const hs = await sign({ alg: 'HS256', privateKey: new TextEncoder().encode('x'.repeat(32)) });
  await reject(hs, /algorithm is not accepted/, 'HS256 without a configured secret');
});

t.test('HS256 with a shared secret', async (t) => {
  const secret = 's'.repeat(32);
  const v = await createJwtVerifier({ ...base, hs256_secret: secret });
  const { principal } = await v.verify(await sign({ alg: 'HS256', privateKey: new TextEncoder().encode(secret) }));
  t.equal(principal.key_id, 'jwt:alice');
  await t.rejects(v.verify(await sign({ alg: 'HS256', privateKey: new TextEncoder().encode('t'.repeat(32)) })), { code: 'DGP_ERR_KEYS_JWT_INVALID', message: /signature/ });
});

t.test('a JWKS URL is fetched once, cached, and a new kid is picked up after rotation', async (t) => {
  const k1 = await keyPair('RS256', 'k1');
  const k2 = await keyPair('EdDSA', 'k2');
  let served: JWK[] = [k1.jwk];
  let fetches = 0;
  const server: Server = createServer((_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks.json`;
  const v = await createJwtVerifier({ ...base, jwks_url: url, jwks_cooldown_ms: 50 });
  await v.verify(await sign(k1));
  await v.verify(await sign(k1));
  t.equal(fetches, 1, 'cached');
  await t.rejects(v.verify(await sign(k2)), { code: 'DGP_ERR_KEYS_JWT_INVALID', message: /no key in the JWKS/ });
  served = [k2.jwk];
  await new Promise((r) => setTimeout(r, 80));
  t.equal((await v.verify(await sign(k2))).principal.key_id, 'jwt:alice', 'the rotated key is picked up');
  t.ok(fetches >= 2 && fetches <= 3);
  const down = await createJwtVerifier({ ...base, jwks_url: 'http://127.0.0.1:1/jwks.json' });
  await t.rejects(down.verify(await sign(k1)), { code: 'DGP_ERR_KEYS_JWKS_UNAVAILABLE', status: 503 });
});

t.test('bad configs are refused with a coded error', async (t) => {
  await t.rejects(createJwtVerifier({}), { code: 'DGP_ERR_KEYS_JWT_CONFIG', message: /jwks_file, jwks_url or hs256_secret/ });
  await t.rejects(createJwtVerifier({ jwks_file: 'a', jwks_url: 'http://127.0.0.1/' }), { message: /not both/ });
  await t.rejects(createJwtVerifier({ jwks_file: join(dir, 'missing.json') }), { code: 'DGP_ERR_KEYS_JWT_CONFIG', message: /cannot read the JWKS file/ });
  await t.rejects(createJwtVerifier({ hs256_secret: 'x', algorithms: ['RS256'] }), { message: /need jwks_file or jwks_url/ });
});

t.test('the jwt config schema accepts the documented fields and rejects unknown ones', async (t) => {
  const { Compile } = await import('typebox/compile');
  const { JwtConfigSchema } = await import('../../../../filters/llm/keys/jwt-schema.js');
  const check = Compile(JwtConfigSchema);
  t.ok(check.Check({ jwks_url: 'https://idp.example/jwks', issuer: ['a', 'b'], audience: 'dgp', algorithms: ['RS256', 'EdDSA'], clock_skew_seconds: 30, claims: { team: 'org.team', models: 'scope' } }));
  t.notOk(check.Check({ jwks_file: 'x', bogus: 1 }), 'unknown field');
  t.notOk(check.Check({ algorithms: ['none'] }), 'alg none is not a choice');
  t.notOk(check.Check({ jwks_url: 'ftp://x' }));
  t.notOk(check.Check({ claims: { tema: 'x' } }), 'a misspelt claim field');
});

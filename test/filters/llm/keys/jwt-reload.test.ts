// JWT identity through the host (tokens signed with RS256 and verified against a JWKS served on 127.0.0.1, claims
// mapped to the principal), and static keys hot-reloading: a key removed from conf.yaml stops working after reload.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import OpenAI from 'openai';
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { keysGatewayYaml, wireOf } from './helpers.js';

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

t.test('JWT: RS256 verified against a JWKS URL; claims become the principal; bad tokens are 401', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  const up = await startMockOpenAi({ reply: { text: 'hello' } });
  const keys = `                    jwt:
                      jwks_url: http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json
                      issuer: https://idp.example
                      audience: dgp
                      claims: {team: org.team, models: scope}
`;
  const g = await startGateway(keysGatewayYaml({ keys, provider: 'openai', port: up.port }));
  t.teardown(async () => (await g.close(), await up.close(), await new Promise((r) => jwks.close(r))));
  const sign = (claims: Record<string, unknown>, exp: string | number = '5m') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://idp.example').setAudience('dgp').setSubject('alice').setIssuedAt().setExpirationTime(exp).sign(privateKey);
  const client = (token: string) => new OpenAI({ apiKey: token, baseURL: `${g.url()}/v1`, maxRetries: 0 });

  const token = await sign({ org: { team: 'research' }, scope: 'gpt-4o-mini gpt-4.1-*' });
  const ok = await client(token).chat.completions.create(chat);
  t.equal(ok.choices[0]?.message.content, 'hello');
  t.match(g.logs.filter((l) => l.type === 'access').at(-1), { key_id: 'jwt:alice', team: 'research' });
  t.equal(up.requests[0]!.headers.authorization, 'Bearer sk-test', 'the endpoint key went upstream');
  t.notMatch(wireOf(up.requests), new RegExp(token.split('.')[2]!.slice(0, 20)), 'the token never went upstream');

  const denied = await client(token).chat.completions.create({ ...chat, model: 'o3' }).catch((e: unknown) => e);
  t.ok(denied instanceof OpenAI.PermissionDeniedError, 'a model outside the token scope: 403');
  const expired = await client(await sign({}, Math.floor(Date.now() / 1000) - 3600)).chat.completions.create(chat).catch((e: unknown) => e);
  t.ok(expired instanceof OpenAI.AuthenticationError, 'an expired token: 401');
  t.equal((expired as InstanceType<typeof OpenAI.APIError>).code, 'DGP_ERR_KEYS_JWT_INVALID');
  const other = await generateKeyPair('RS256');
  const forged = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer('https://idp.example').setAudience('dgp').setSubject('mallory').setExpirationTime('5m').sign(other.privateKey);
  const bad = await client(forged).chat.completions.create(chat).catch((e: unknown) => e);
  t.ok(bad instanceof OpenAI.AuthenticationError, 'a token signed by another key: 401');
  t.match((bad as Error).message, /signature/);
});

t.test('static keys hot-reload: a key removed from conf.yaml stops working after the reload', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'hello' } });
  const two = `                    keys:
                      - {key: sk-dgp-keep, alias: keep}
                      - {key: sk-dgp-drop, alias: drop}
`;
  const g = await startGateway(keysGatewayYaml({ keys: two, provider: 'openai', port: up.port }));
  t.teardown(async () => (await g.close(), await up.close()));
  const call = (key: string) => new OpenAI({ apiKey: key, baseURL: `${g.url()}/v1`, maxRetries: 0 }).chat.completions.create(chat).then(() => 200, (e: { status?: number }) => e.status);
  t.equal(await call('sk-dgp-drop'), 200);
  await g.writeConfig(keysGatewayYaml({ keys: two.split('\n').filter((l) => !l.includes('sk-dgp-drop')).join('\n'), provider: 'openai', port: up.port }));
  t.match(await g.gw.reload(), { ok: true });
  t.equal(await call('sk-dgp-drop'), 401, 'the removed key is refused');
  t.equal(await call('sk-dgp-keep'), 200, 'the kept key still works');
});

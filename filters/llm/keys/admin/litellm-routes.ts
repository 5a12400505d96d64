// LiteLLM-compatible aliases (/key/*, /team/*, /user/*, /spend/logs) so scripts written against LiteLLM's proxy keep
// working: LiteLLM's field names in and out, money as USD floats, a key named by its plaintext, hash or id.
import type { AdminRouteApi, AdminRouteRequest, AdminRouteResponse } from '../../../../core/index.js';
import type { KeyRecord } from '../../../../core/llm/index.js';
import { authorize, type Actor } from './auth.js';
import { fromLiteLlm, keyToLiteLlm, teamToLiteLlm, userToLiteLlm } from './litellm-codec.js';
import * as S from './litellm-schema.js';
import { nanosToUsd } from './money.js';
import { spendWindow } from './native-routes.js';
import type { KeyAdminOps } from './ops.js';
import { checkBody, parseCount } from './validate.js';
import { keysAdminInvalid } from '../errors.js';

type Body = Record<string, unknown>;
type Handler = (req: AdminRouteRequest, actor: Actor) => Promise<AdminRouteResponse>;

export function mountLiteLlmRoutes(admin: AdminRouteApi, ops: KeyAdminOps): void {
  const route = (method: 'GET' | 'POST', path: string, description: string, handler: Handler) =>
    admin.route({ method, path, auth: 'master-key', description: `LiteLLM alias: ${description}`, handler: (req) => handler(req, authorize(req, ops.opts.masterKey)) });
  const check = <T = Body>(schema: Parameters<typeof checkBody>[0], req: AdminRouteRequest, unsupported: readonly string[]) =>
    checkBody<T>(schema, req.body, { what: `${req.method} ${req.path}`, unsupported });
  const keyOut = async (r: KeyRecord) => keyToLiteLlm(r, await ops.spendOf('key', r));
  const required = (req: AdminRouteRequest, name: string) => {
    const v = req.query[name];
    if (!v) throw keysAdminInvalid(`${req.method} ${req.path}: the query parameter ${name} is required`);
    return v;
  };

  route('POST', '/key/generate', 'create a key; `key` is the plaintext, shown once', async (req, actor) => {
    const body = check(S.GenerateKeyBody, req, S.UNSUPPORTED_KEY_FIELDS);
    const { record, plaintext } = await ops.createKey(actor, fromLiteLlm(body, ops.now()));
    return { body: { key: plaintext, ...(await keyOut(record)) } };
  });
  route('GET', '/key/info', 'one key (?key= plaintext, hash or id)', async (req) => {
    const record = await ops.findKey(required(req, 'key'));
    return { body: { key: record.id, info: await keyOut(record) } };
  });
  route('POST', '/key/update', 'update a key', async (req, actor) => {
    const { key, ...rest } = check<Body & { key: string }>(S.UpdateKeyBody, req, S.UNSUPPORTED_KEY_FIELDS.filter((f) => f !== 'key'));
    const current = rest.model_rpm_limit !== undefined || rest.model_tpm_limit !== undefined ? await ops.findKey(key) : undefined;
    return { body: await keyOut(await ops.updateKey(actor, key, fromLiteLlm(rest, ops.now(), current))) };
  });
  route('POST', '/key/regenerate', 'new plaintext for a key (shown once); the old one stops working', async (req, actor) => {
    const { key } = check<{ key: string }>(S.RegenerateKeyBody, req, S.UNSUPPORTED_REGENERATE_FIELDS);
    const { record, plaintext } = await ops.rotateKey(actor, key);
    return { body: { key: plaintext, ...(await keyOut(record)) } };
  });
  for (const [path, blocked] of [['/key/block', true], ['/key/unblock', false]] as const) {
    route('POST', path, `${blocked ? 'block' : 'unblock'} a key`, async (req, actor) => {
      const { key } = check<{ key: string }>(S.KeyRefBody, req, []);
      return { body: await keyOut(await ops.blockKey(actor, key, blocked)) };
    });
  }
  route('POST', '/key/delete', 'delete keys ({keys: [...]})', async (req, actor) => {
    const { keys } = check<{ keys: string[] }>(S.DeleteKeysBody, req, S.UNSUPPORTED_DELETE_FIELDS);
    for (const k of keys) await ops.findKey(k);
    const deleted: string[] = [];
    for (const k of keys) deleted.push((await ops.deleteKey(actor, k)).id);
    return { body: { deleted_keys: deleted } };
  });
  route('GET', '/key/list', 'keys, page by page (page, size, team_id, user_id, return_full_object)', async (req) => {
    const page = parseCount(req.query.page, 'page', 1, 1_000_000);
    const size = parseCount(req.query.size, 'size', 10, 100);
    const all = await listAllKeys(ops, req.query.team_id, req.query.user_id);
    const slice = all.slice((page - 1) * size, page * size);
    const full = req.query.return_full_object === 'true';
    const keys = full ? await Promise.all(slice.map(keyOut)) : slice.map((k) => k.id);
    return { body: { keys, total_count: all.length, current_page: page, total_pages: Math.ceil(all.length / size) } };
  });

  route('POST', '/team/new', 'create a team', async (req, actor) => {
    const body = check(S.NewTeamBody, req, S.UNSUPPORTED_TEAM_FIELDS);
    const { team_id, ...rest } = body;
    const record = await ops.create(actor, 'team', { ...fromLiteLlm(rest, ops.now()), ...(team_id ? { id: team_id as string } : {}) });
    return { body: teamToLiteLlm(record, 0) };
  });
  route('GET', '/team/info', 'one team (?team_id=) with its keys', async (req) => {
    const team = await ops.get('team', required(req, 'team_id'));
    const keys = await listAllKeys(ops, team.id, undefined);
    return { body: { team_id: team.id, team_info: teamToLiteLlm(team, await ops.spendOf('team', team)), keys: await Promise.all(keys.map(keyOut)) } };
  });
  // A blocked team refuses every key it has (401), until unblocked.
  for (const [path, blocked] of [['/team/block', true], ['/team/unblock', false]] as const) {
    route('POST', path, `${blocked ? 'block' : 'unblock'} a team and with it all its keys ({team_id})`, async (req, actor) => {
      const { team_id } = check<{ team_id: string }>(S.TeamRefBody, req, []);
      const team = await ops.update(actor, 'team', team_id, { blocked });
      return { body: teamToLiteLlm(team, await ops.spendOf('team', team)) };
    });
  }
  route('POST', '/user/new', 'create a user and, unless auto_create_key is false, a key for it', async (req, actor) => {
    const { user_id, auto_create_key, duration, ...rest } = check(S.NewUserBody, req, S.UNSUPPORTED_USER_FIELDS);
    const fields = fromLiteLlm(rest, ops.now());
    const user = await ops.create(actor, 'user', { ...fields, ...(user_id ? { id: user_id as string } : {}) });
    const out: Body = userToLiteLlm(user, 0);
    if (auto_create_key !== false) {
      const { record, plaintext } = await ops.createKey(actor, { user_id: user.id, team_id: user.team_id, models: user.models, expires_at: fromLiteLlm({ duration }, ops.now()).expires_at as number | null | undefined });
      Object.assign(out, { key: plaintext, token: record.id, key_name: record.display_prefix, expires: record.expires_at === null ? null : new Date(record.expires_at).toISOString() });
    }
    return { body: out };
  });
  route('GET', '/spend/logs', 'spend per key from the ledger (start_date, end_date; aggregated, not per request)', async (req) => {
    const { from, to } = spendWindow(req.query, ops.now(), 'start_date', 'end_date');
    const rows = await ops.store.spendReport({ group_by: 'key', from, to });
    const wanted = req.query.api_key ? (await ops.findKey(req.query.api_key)).id : undefined;
    return {
      body: rows
        .filter((r) => wanted === undefined || r.group === wanted)
        .map((r) => ({
          api_key: r.group,
          spend: nanosToUsd(r.cost_nanos),
          requests: r.requests,
          prompt_tokens: r.input_tokens,
          completion_tokens: r.output_tokens,
          total_tokens: r.input_tokens + r.output_tokens,
          startTime: new Date(from).toISOString(),
          endTime: new Date(to).toISOString(),
        })),
    };
  });
}

async function listAllKeys(ops: KeyAdminOps, teamId: string | undefined, userId: string | undefined): Promise<KeyRecord[]> {
  const out: KeyRecord[] = [];
  let after: string | undefined;
  do {
    const page = await ops.store.listKeys({ limit: 1000, ...(after ? { after } : {}), ...(teamId ? { team_id: teamId } : {}), ...(userId ? { user_id: userId } : {}) });
    out.push(...page.items);
    after = page.next;
  } while (after);
  return out;
}

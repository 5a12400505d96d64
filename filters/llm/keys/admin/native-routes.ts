// The native key API under /admin/v1: keys (create, list, info, update, rotate, block, unblock, delete), teams and
// users (create, list, info, update, delete), the spend report from the ledger and where each budget stands now.
import type { AdminRouteApi, AdminRouteRequest, AdminRouteResponse } from '../../../../core/index.js';
import type { KeyPatch, ListQuery, SpendGroup } from '../../../../core/llm/index.js';
import { keysAdminInvalid, keysAdminNotFound } from '../errors.js';
import type { BudgetScope, BudgetStatus } from '../spend/budget-report.js';
import { authorize, type Actor } from './auth.js';
import { budgetedView, keyView, toStoreFields } from './native-codec.js';
import { EmptyBody, NativeKeyBody, NativeTeamBody, NativeUserBody } from './native-schema.js';
import type { KeyAdminOps } from './ops.js';
import { checkBody, parseCount, parseInstant } from './validate.js';
import { nanosToUsd } from './money.js';

type Handler = (req: AdminRouteRequest, actor: Actor) => Promise<AdminRouteResponse>;
const GROUPS: readonly SpendGroup[] = ['key', 'team', 'user', 'model'];
const SCOPES: readonly BudgetScope[] = ['key', 'team', 'user', 'end_user'];

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const budgetView = (b: BudgetStatus) => ({
  budget: b.budget, scope: b.scope, subject: b.subject, model: b.model,
  limit_usd: nanosToUsd(b.limit_nanos), spent_usd: nanosToUsd(b.spent_nanos), held_usd: nanosToUsd(b.held_nanos), remaining_usd: nanosToUsd(b.remaining_nanos),
  limit_nanos: b.limit_nanos, spent_nanos: b.spent_nanos, held_nanos: b.held_nanos, remaining_nanos: b.remaining_nanos,
  window_start: iso(b.window_start), reset_at: iso(b.reset_at),
});

export function listQuery(q: Readonly<Record<string, string>>): ListQuery {
  const out: ListQuery = { limit: parseCount(q.limit, 'limit', 100, 1000) };
  if (q.after) out.after = q.after;
  if (q.team_id) out.team_id = q.team_id;
  if (q.user_id) out.user_id = q.user_id;
  return out;
}

export function mountNativeRoutes(admin: AdminRouteApi, ops: KeyAdminOps): void {
  const route = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, description: string, handler: Handler) =>
    admin.route({ method, path, auth: 'master-key', description, handler: (req) => handler(req, authorize(req, ops.opts.masterKey)) });
  const what = (req: AdminRouteRequest) => `${req.method} ${req.path}`;

  route('POST', '/admin/v1/keys', 'create a key; the plaintext is in this answer only', async (req, actor) => {
    const body = checkBody<NativeKeyBody>(NativeKeyBody, req.body, { what: what(req) });
    const { record, plaintext } = await ops.createKey(actor, toStoreFields(body));
    return { status: 201, body: { ...keyView(record), key: plaintext } };
  });
  route('GET', '/admin/v1/keys', 'list keys (limit, after, team_id, user_id)', async (req) => {
    const page = await ops.store.listKeys(listQuery(req.query));
    return { body: { items: page.items.map(keyView), ...(page.next ? { next: page.next } : {}) } };
  });
  route('GET', '/admin/v1/keys/:id', 'one key (by id)', async (req) => ({ body: keyView(await ops.findKey(req.params.id!)) }));
  route('PATCH', '/admin/v1/keys/:id', 'update a key', async (req, actor) => {
    const body = checkBody<NativeKeyBody>(NativeKeyBody, req.body, { what: what(req) });
    return { body: keyView(await ops.updateKey(actor, req.params.id!, toStoreFields(body) as KeyPatch)) };
  });
  route('POST', '/admin/v1/keys/:id/rotate', 'new plaintext (in this answer only); the old key stops working', async (req, actor) => {
    checkBody(EmptyBody, req.body, { what: what(req) });
    const { record, plaintext } = await ops.rotateKey(actor, req.params.id!);
    return { body: { ...keyView(record), key: plaintext } };
  });
  route('POST', '/admin/v1/keys/:id/block', 'block a key', async (req, actor) => ({ body: keyView(await ops.blockKey(actor, req.params.id!, true)) }));
  route('POST', '/admin/v1/keys/:id/unblock', 'unblock a key', async (req, actor) => ({ body: keyView(await ops.blockKey(actor, req.params.id!, false)) }));
  route('DELETE', '/admin/v1/keys/:id', 'delete a key', async (req, actor) => ({ body: { deleted: (await ops.deleteKey(actor, req.params.id!)).id } }));

  for (const kind of ['team', 'user'] as const) {
    const base = `/admin/v1/${kind}s`;
    const schema = kind === 'team' ? NativeTeamBody : NativeUserBody;
    route('POST', base, `create a ${kind}`, async (req, actor) => {
      const body = checkBody<Record<string, unknown>>(schema, req.body, { what: what(req) });
      return { status: 201, body: budgetedView(await ops.create(actor, kind, toStoreFields(body))) };
    });
    route('GET', base, `list ${kind}s (limit, after)`, async (req) => {
      const q = listQuery(req.query);
      const page = kind === 'team' ? await ops.store.listTeams(q) : await ops.store.listUsers(q);
      return { body: { items: page.items.map(budgetedView), ...(page.next ? { next: page.next } : {}) } };
    });
    route('GET', `${base}/:id`, `one ${kind}`, async (req) => ({ body: budgetedView(await ops.get(kind, req.params.id!)) }));
    route('PATCH', `${base}/:id`, `update a ${kind}`, async (req, actor) => {
      const body = checkBody<Record<string, unknown>>(schema, req.body, { what: what(req) });
      if ('id' in body) throw keysAdminInvalid(`${what(req)}: id cannot change`);
      return { body: budgetedView(await ops.update(actor, kind, req.params.id!, toStoreFields(body))) };
    });
    route('DELETE', `${base}/:id`, `delete a ${kind}`, async (req, actor) => ({ body: { deleted: (await ops.remove(actor, kind, req.params.id!)).id } }));
  }

  const budgets = ops.opts.budgets;
  if (budgets !== undefined) {
    route('GET', '/admin/v1/budgets', 'where each budget of a subject stands now (key=, team=, user= or end_user=)', async (req) => {
      const named = SCOPES.filter((s) => req.query[s] !== undefined && req.query[s] !== '');
      if (named.length !== 1) throw keysAdminInvalid(`name one subject: exactly one of ${SCOPES.join(', ')} (got ${named.length})`);
      const scope = named[0]!;
      // A stored key may be named by id, plaintext or hash; a static key (conf.yaml) by its id.
      const asked = req.query[scope]!;
      const id = scope === 'key' ? ((await ops.findKey(asked).catch(() => undefined))?.id ?? asked) : asked;
      const rows = await budgets(scope, id);
      if (rows === undefined) throw keysAdminNotFound(`no ${scope} ${JSON.stringify(asked)}`);
      return { body: { scope, id, budgets: rows.map(budgetView) } };
    });
  }

  route('GET', '/admin/v1/spend', 'spend report from the ledger (group_by=key|team|user|model, from, to)', async (req) => {
    const group = (req.query.group_by ?? 'key') as SpendGroup;
    if (!GROUPS.includes(group)) throw keysAdminInvalid(`group_by: "${req.query.group_by}" is not one of ${GROUPS.join(', ')}`);
    const { from, to } = spendWindow(req.query, ops.now());
    const rows = await ops.store.spendReport({ group_by: group, from, to });
    return { body: { group_by: group, from, to, rows: rows.map((r) => ({ ...r, cost_usd: nanosToUsd(r.cost_nanos), cache_saved_usd: nanosToUsd(r.cache_saved_nanos) })) } };
  });
}

/** [from, to) from the query: ISO dates or epoch ms; defaults to the last 30 days. */
export function spendWindow(q: Readonly<Record<string, string>>, now: number, fromName = 'from', toName = 'to'): { from: number; to: number } {
  const to = parseInstant(q[toName], toName, now + 1);
  const from = parseInstant(q[fromName], fromName, to - 30 * 86_400_000);
  if (from >= to) throw keysAdminInvalid(`${fromName} must be before ${toName}`);
  return { from, to };
}

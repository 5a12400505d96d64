// The audit record of every key-API mutation: one pino line with the fixed `event: "admin_mutation"`, the actor,
// the target and a before/after diff. Secrets never reach it: the key hash and any plaintext are stripped here.
import type { Actor } from './auth.js';

export interface AuditLog {
  info(obj: Record<string, unknown>, msg: string): void;
}

/** Fields never logged: the SHA-256 of a key is as good as the key for an offline guess check. */
const SECRET_FIELDS = new Set(['hash', 'key', 'plaintext', 'token']);

export function redact(record: object | undefined | null): Record<string, unknown> | null {
  if (!record) return null;
  return Object.fromEntries(Object.entries(record).filter(([k]) => !SECRET_FIELDS.has(k)));
}

/** Fields whose value differs, with both sides (JSON-compared). */
export function diff(before: Record<string, unknown> | null, after: Record<string, unknown> | null): Record<string, { before: unknown; after: unknown }> {
  const out: Record<string, { before: unknown; after: unknown }> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of keys) {
    if (k === 'updated_at') continue;
    const b = before?.[k] ?? null;
    const a = after?.[k] ?? null;
    if (JSON.stringify(b) !== JSON.stringify(a)) out[k] = { before: b, after: a };
  }
  return out;
}

export interface Mutation {
  action: string;
  target: { type: 'key' | 'team' | 'user'; id: string };
  before?: object | null;
  after?: object | null;
}

export function logMutation(log: AuditLog, actor: Actor, m: Mutation): void {
  const before = redact(m.before);
  const after = redact(m.after);
  log.info(
    { event: 'admin_mutation', actor: actor.kind, remote: actor.remote, action: m.action, target: m.target, before, after, changes: diff(before, after) },
    `key admin: ${m.action} ${m.target.type} ${m.target.id}`,
  );
}

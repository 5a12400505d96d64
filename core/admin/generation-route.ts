// A plugin's admin route called on the serving generation: the generation is held like a request holds it, so a
// reload cannot close the plugin under a running handler; changes (keys, cache purges) go to the audit stream, reads
// do not.
import type { Logger } from 'pino';
import { adminRecord } from '../observability/audit/request-record.js';
import type { Generation } from '../reload/generation.js';
import { callAdminRoute, type AdminCall, type AdminReply } from './route-call.js';

export async function callGenerationRoute(gen: Generation, call: AdminCall, log: Logger): Promise<AdminReply> {
  gen.acquire();
  try {
    const reply = await callAdminRoute(gen.adminRoutes, call, log);
    if (call.method !== 'GET' && call.method !== 'HEAD') {
      gen.audit?.write(adminRecord({ action: `${call.method} ${call.path}`, actor: call.remoteAddress ?? 'unknown', target: call.path, status: reply.status, ok: reply.status < 400 }));
    }
    return reply;
  } finally {
    gen.release();
  }
}

// A finished reload, told: the reload counter, one log line (with what keeps its running value until a restart), and
// an admin audit record; and the view of the last reload that /config shows.
import type { Logger } from 'pino';
import type { Audit } from '../observability/audit/service.js';
import { adminRecord } from '../observability/audit/request-record.js';
import type { HostMetrics } from '../observability/metrics.js';
import type { ReloadResult } from './result.js';

export interface ReloadReportDeps {
  metrics: HostMetrics;
  log: Logger;
  /** The serving generation's audit pipeline, if it has one. */
  audit: Audit | undefined;
  /** The config file the gateway serves from. */
  file: string;
}

export function reportReload(result: ReloadResult, changed: readonly string[] | undefined, d: ReloadReportDeps): void {
  d.metrics.reloads.inc({ result: result.ok ? 'success' : 'failure' });
  const ctx = { generation: result.generation, trigger: result.trigger, changed };
  if (result.ok) {
    d.log.info({ ...ctx, diff: result.diff }, `config reloaded: ${result.diff}`);
    if (result.restartRequired?.length) {
      d.log.warn({ ...ctx, restartRequired: result.restartRequired }, `reloaded, but these settings keep their running value until a restart: ${result.restartRequired.join('; ')}`);
    }
  } else {
    d.log.error({ ...ctx, code: result.code, error: result.error, problems: result.problems }, `config reload failed; the previous config keeps serving: ${result.error}`);
  }
  d.audit?.write(adminRecord({
    action: 'reload',
    actor: result.trigger ?? 'api',
    target: d.file,
    status: result.ok ? 200 : 500,
    ok: result.ok,
    detail: { generation: result.generation, ...(result.diff ? { diff: result.diff } : {}), ...(result.ok ? {} : { code: result.code, error: result.error }) },
  }));
}

export function lastReloadView(r: ReloadResult): Record<string, unknown> {
  return {
    ok: r.ok,
    at: r.at,
    error: r.error,
    ...(r.code && !r.ok ? { code: r.code } : {}),
    generation: r.generation,
    trigger: r.trigger,
    ...(r.diff ? { diff: r.diff } : {}),
    ...(r.restartRequired?.length ? { restart_required: r.restartRequired } : {}),
  };
}

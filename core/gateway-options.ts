// The options of a running gateway (Gateway.start), of one reload, and the admin view it gives the admin listener.
import type { Logger } from 'pino';
import type { AdmissionOptions } from './admission/admission.js';
import type { AdminSource } from './admin/server.js';
import type { ReloadResult } from './reload/result.js';
import type { WatchOptions } from './reload/watch.js';
import type { ReadinessReport } from './services/readiness.js';

export interface GatewayOptions {
  configDir?: string;
  file?: string;
  pluginDirs?: string[];
  strict?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Reload when conf.yaml, a file it references or a plugin folder changes (`dgp start` default: on). */
  watch?: boolean | WatchOptions;
  /**
   * Set in each worker process of `dgp start --workers N` (core/multicore): the primary serves the admin listener and
   * metric.prometheus_port, so this gateway binds neither; its log lines carry `worker: slot`, and with
   * workers.threads 0 the spare cores are shared among the N workers' thread pools.
   */
  worker?: { slot: number; count: number };
  /** Test seams of admission control (a forced heap reading). */
  admission?: AdmissionOptions;
  /** `dgp start --pretty`: wins over the config's log.format. */
  logFormat?: 'json' | 'pretty';
}

/** The admin view of one gateway: readiness lists every live service; `reason` is set while one is not ready. */
export interface GatewayAdminSource extends AdminSource {
  readiness(): ReadinessReport;
}

export interface ReloadOptions {
  /** What asked for the reload; shown in the log and in /config last_reload. Default 'api'. */
  trigger?: ReloadResult['trigger'];
  /** A failure may come from a half-written file: wait this long and try once more before reporting it. */
  retryAfterMs?: number;
  /** True when a newer change is already queued: a failure is then not reported (the next reload will be). */
  superseded?(): boolean;
  /** Files whose change led to this reload (logged). */
  changed?: readonly string[];
}

// The worker side of `dgp start --workers N`: one full gateway without an admin or metric listener of its own, which
// answers the primary's requests over the cluster IPC channel (status, metrics, config, plugins, reload) and drains
// when the primary says so, on SIGTERM/SIGINT, or when the primary is gone (its channel closed).
import { Gateway, type GatewayOptions } from '../gateway.js';
import { metricsAsJson } from './metrics-aggregate.js';
import { DgpError, isDgpError } from '../errors.js';
import { isDgpMessage, type OpReply, type OpRequest, type OpValue, type WorkerMessage } from './protocol.js';

export type WorkerRunOptions = GatewayOptions & { worker: { slot: number; count: number } };

/** Resolves with the exit code once the gateway has drained (0) or could not start (1). */
export async function runWorker(opts: WorkerRunOptions): Promise<number> {
  let gw: Gateway | undefined;
  let stopReason: string | undefined;
  let finished!: (code: number) => void;
  const exitCode = new Promise<number>((r) => (finished = r));
  const stop = (reason: string): void => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    if (!gw) return; // still starting: stopped as soon as it is up
    gw.log.info({ reason }, 'worker draining');
    gw.close().then(
      () => finished(0),
      (err: unknown) => {
        gw?.log.error({ err }, 'shutdown failed');
        finished(1);
      },
    );
  };
  // Listening before the gateway starts, so that a shutdown asked for during the start is not lost.
  process.on('message', (m: unknown) => {
    if (!isDgpMessage(m)) return;
    if (m.dgp === 'shutdown') return stop('primary asked');
    if (m.dgp === 'request' && gw) void answer(gw, m as OpRequest).then(send);
  });
  process.on('disconnect', () => stop('primary gone'));
  // Ctrl-C reaches the whole process group: the worker starts draining at once, as the primary would ask it to.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A terminal hangup also reaches every worker; reloading is the primary's job (it forwards SIGHUP to all), and
  // SIGHUP's default action would kill the worker.
  process.on('SIGHUP', () => gw?.log.debug('SIGHUP ignored by the worker: send it to the primary'));
  try {
    gw = await Gateway.start(opts);
  } catch (err) {
    process.stderr.write(`dgp: worker ${opts.worker.slot} cannot start: ${isDgpError(err) ? `${err.code} ` : ''}${(err as Error).message}\n`);
    return 1;
  }
  const log = gw.log;
  // As in single-process mode: a bug in a plugin's timer or promise must not take every other request down with it.
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => log.error({ err }, 'uncaught exception'));
  send({ dgp: 'ready', generation: gw.generation.id, listeners: gw.listenerPorts() });
  if (stopReason !== undefined) {
    const reason = stopReason;
    stopReason = undefined;
    stop(reason);
  }
  return exitCode;
}

async function answer(gw: Gateway, req: OpRequest): Promise<OpReply> {
  try {
    return { dgp: 'reply', id: req.id, ok: true, value: await run(gw, req) };
  } catch (err) {
    gw.log.error({ err, op: req.op }, 'answering the primary failed');
    return { dgp: 'reply', id: req.id, ok: false, error: (err as Error).message };
  }
}

async function run(gw: Gateway, req: OpRequest): Promise<OpValue[OpRequest['op']]> {
  const src = gw.adminSource();
  switch (req.op) {
    case 'status':
      return { ready: src.ready(), generation: gw.generation.id, listeners: gw.listenerPorts(), ...src.readiness() };
    case 'metrics':
      return metricsAsJson(gw.metrics.registry);
    case 'config':
      return plain(src.config()) as Record<string, unknown>;
    case 'plugins':
      return plain(src.plugins());
    case 'reload':
      return gw.reload({ trigger: req.trigger ?? 'admin' });
    case 'routes':
      return plain(await src.routes()) as OpValue['routes'];
    case 'routing':
      return plain(src.routing());
    case 'clusters':
      return plain(src.clusters?.() ?? []);
    case 'admin':
      if (!req.call) throw new DgpError('DGP_ERR_INTERNAL', 'an admin request without its call');
      return plain(await src.callRoute(req.call)) as OpValue['admin'];
  }
}

/** What the admin listener would have written: JSON values only (no functions, no class instances). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

function send(message: WorkerMessage): void {
  // The channel closes when the primary goes away; the worker is draining then and the message has nobody to read it.
  if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
}

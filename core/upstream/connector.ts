// A precise connect timer for undici pools. undici's own `connect.timeout` runs on its fast timers (≈500 ms ticks)
// and fires up to ~1 s late, so connect_timeout is enforced here with one plain setTimeout per connect.
import type { Socket } from 'node:net';
import { buildConnector, errors } from 'undici';

export type ConnectorOptions = buildConnector.BuildOptions;

/**
 * undici's connector (`buildConnector`) for `options`, with `timeout` enforced to the millisecond: a connect still
 * pending when it expires (TCP, plus the TLS handshake for https) is destroyed and fails with undici's
 * ConnectTimeoutError (`UND_ERR_CONNECT_TIMEOUT`), which undici and classifyTransportError file as a connect timeout.
 * `timeout` reads as in undici: ms, 0 = none, unset or null = 10 s. Every other option goes to undici unchanged.
 */
export function preciseConnector(options: ConnectorOptions = {}): buildConnector.connector {
  const { timeout, ...rest } = options;
  const ms = timeout ?? 10_000;
  // undici's timer is switched off: ours always fires first, so it would only cost a fast timer per connect.
  const inner = buildConnector({ ...rest, timeout: 0 });
  if (!(ms > 0)) return inner;
  return (opts, callback) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const done: buildConnector.Callback = (...args) => {
      if (settled) {
        // Arrived after the timeout answered: the socket (if any) belongs to nobody.
        args[1]?.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      callback(...args);
    };
    // buildConnector returns the socket although its type says void; we need it to cut the connect.
    const socket = (inner as unknown as (o: buildConnector.Options, cb: buildConnector.Callback) => Socket | undefined)(opts, done);
    if (settled) return;
    timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket?.destroy();
      callback(new errors.ConnectTimeoutError(timeoutMessage(socket, opts, ms)), null);
    }, ms);
    // The pending socket keeps the process alive while it matters; the timer alone must not.
    timer.unref();
  };
}

/** undici's wording, so logs read the same whichever timer fired. */
function timeoutMessage(socket: Socket | undefined, opts: buildConnector.Options, ms: number): string {
  const tried = (socket as { autoSelectFamilyAttemptedAddresses?: string[] } | undefined)?.autoSelectFamilyAttemptedAddresses;
  const where = Array.isArray(tried) && tried.length > 0 ? `addresses: ${tried.join(', ')}` : `address: ${opts.hostname}:${opts.port || (opts.protocol === 'https:' ? 443 : 80)}`;
  return `Connect Timeout Error (attempted ${where}, timeout: ${ms}ms)`;
}

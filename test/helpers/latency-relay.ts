// A TCP relay on 127.0.0.1:0 that delays every byte and every close by `delayMs` in each direction (the spec's
// ChaosProxy, latency only): a loopback upstream then behaves like one across a network, so a server closing an idle
// keep-alive socket and a request already on its way cross each other, as they do between real hosts.
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface LatencyRelay {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

export async function startLatencyRelay(target: number, delayMs: number): Promise<LatencyRelay> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let accepted = 0;
  let closed = false;
  const later = (fn: () => void): void => {
    // Nothing is relayed after close(): a delayed write or end would reopen what the close tore down.
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, delayMs);
    timers.add(timer);
  };
  /** Bytes and the end of `from` reach `to` delayMs later; a reset or a write into a closed side resets the other. */
  const pipe = (from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) =>
      later(() => {
        if (to.destroyed || to.writableEnded) from.resetAndDestroy(); // the peer is gone: as a kernel answers, with RST
        else to.write(chunk);
      }),
    );
    from.on('end', () => later(() => !to.destroyed && to.end()));
    from.on('error', () => later(() => !to.destroyed && to.resetAndDestroy()));
  };
  const server: Server = createServer((client) => {
    if (closed) return void client.destroy();
    accepted++;
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get accepted() {
      return accepted;
    },
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      // Reset rather than end: no write or shutdown request may stay pending on a socket (a pending request keeps
      // Node's exit cleanup spinning), and every socket has emitted 'close' before close() resolves.
      const gone = [...sockets].map((s) => (s.destroyed && s.closed ? undefined : new Promise<void>((r) => s.once('close', () => r()))));
      for (const s of sockets) s.resetAndDestroy();
      await Promise.all([...gone, new Promise<void>((r) => server.close(() => r()))]);
    },
  };
}

// A loopback TCP proxy in front of a server, to break connections on purpose: cut() resets every open connection and
// refuses new ones until heal(); freeze() is a silent partition — bytes stop flowing, nothing is closed — until heal()
// resets what froze.
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpProxy {
  readonly #pairs = new Set<Socket>();
  readonly #held = new Set<Socket>();
  #cut = false;
  #frozen = false;
  connections = 0;

  private constructor(private readonly server: Server) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    server.on('connection', (client) => {
      if (proxy.#cut) return void client.resetAndDestroy();
      if (proxy.#frozen) {
        proxy.#held.add(client);
        client.on('error', () => undefined);
        return;
      }
      proxy.connections++;
      const upstream = connect(targetPort, '127.0.0.1');
      for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
        proxy.#pairs.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => (proxy.#pairs.delete(a), b.destroy()));
        a.pipe(b);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  cut(): void {
    this.#cut = true;
    for (const s of this.#pairs) s.resetAndDestroy();
  }

  freeze(): void {
    this.#frozen = true;
    for (const s of this.#pairs) {
      s.unpipe();
      s.pause();
    }
  }

  heal(): void {
    if (this.#frozen) for (const s of [...this.#pairs, ...this.#held]) s.resetAndDestroy();
    this.#held.clear();
    this.#cut = false;
    this.#frozen = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

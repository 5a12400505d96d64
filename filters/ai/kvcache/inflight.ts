// In-flight requests per (cluster, endpoint id), for the bounded-load rule of mode: prefix. One tracker per process
// (FactoryContext.shared), so requests still running on a retired generation keep counting after a reload.

export class InflightTracker {
  readonly #counts = new Map<string, Map<string, number>>();

  constructor(private readonly onChange: (cluster: string, id: string, value: number) => void = () => {}) {}

  get(cluster: string, id: string): number {
    return this.#counts.get(cluster)?.get(id) ?? 0;
  }

  acquire(cluster: string, id: string): void {
    let m = this.#counts.get(cluster);
    if (m === undefined) this.#counts.set(cluster, (m = new Map()));
    const v = (m.get(id) ?? 0) + 1;
    m.set(id, v);
    this.onChange(cluster, id, v);
  }

  release(cluster: string, id: string): void {
    const m = this.#counts.get(cluster);
    const v = (m?.get(id) ?? 0) - 1;
    if (m === undefined || v < 0) return;
    if (v === 0) m.delete(id);
    else m.set(id, v);
    this.onChange(cluster, id, v);
  }
}

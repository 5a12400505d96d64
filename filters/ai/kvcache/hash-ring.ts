// A consistent-hash ring over endpoint ids (160 virtual nodes each, ketama's count). The ring holds every endpoint of
// the cluster, healthy or not: a health flap then moves only the keys of the endpoint that flapped.
import { createHash } from 'node:crypto';

const VIRTUAL_NODES = 160;

/** 32-bit ring position of a hex digest (its first 8 hex digits). */
export const positionOfHex = (hex: string): number => Number.parseInt(hex.slice(0, 8), 16) >>> 0;

export class HashRing {
  readonly #points: Array<{ pos: number; id: string }> = [];
  readonly size: number;

  constructor(ids: readonly string[]) {
    const unique = [...new Set(ids)];
    this.size = unique.length;
    for (const id of unique) {
      for (let v = 0; v < VIRTUAL_NODES; v++) {
        this.#points.push({ pos: positionOfHex(createHash('sha256').update(`${id}#${v}`).digest('hex')), id });
      }
    }
    this.#points.sort((a, b) => a.pos - b.pos || (a.id < b.id ? -1 : 1));
  }

  /** Distinct endpoint ids in ring order, starting at the first point at or after `pos` (wrapping around). */
  *walk(pos: number): Generator<string> {
    const pts = this.#points;
    if (pts.length === 0) return;
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pts[mid]!.pos < pos) lo = mid + 1;
      else hi = mid;
    }
    const seen = new Set<string>();
    for (let i = 0; i < pts.length && seen.size < this.size; i++) {
      const id = pts[(lo + i) % pts.length]!.id;
      if (seen.has(id)) continue;
      seen.add(id);
      yield id;
    }
  }
}

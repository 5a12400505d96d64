// Process-wide settings a reload cannot change in place: they keep their running value, and the reload result and
// log name each one so the operator knows a restart is due. Listener-level ones come from ListenerHost.prepareUpdate.
import type { BootstrapConfig } from '../config/schema/index.js';

type Path = readonly [section: 'admin' | 'metric' | 'workers', field: string];

// The admin and metrics servers are bound once at start, and the metrics registry is created with its series cap then;
// the worker pool is sized once (its threads are shared by every generation and in-flight tasks would be lost by
// resizing it).
const FIXED: readonly Path[] = [
  ['admin', 'enabled'],
  ['admin', 'address'],
  ['admin', 'port'],
  ['admin', 'token'],
  ['admin', 'allowed_hosts'],
  ['metric', 'enable'],
  ['metric', 'prometheus_port'],
  ['metric', 'max_series_per_metric'],
  ['workers', 'threads'],
  ['workers', 'max_queue'],
];

/** A comparable text of a setting; the token is compared but never shown (the result goes to logs and /config). */
const show = (v: unknown): string => (Array.isArray(v) ? JSON.stringify(v) : String(v));

/** The fixed settings whose value differs between the running config and the new one, e.g. "admin.port 8889 → 9000". */
export function restartRequired(running: BootstrapConfig, next: BootstrapConfig): string[] {
  const out: string[] = [];
  for (const [section, field] of FIXED) {
    const before = show((running[section] as Record<string, unknown>)[field]);
    const after = show((next[section] as Record<string, unknown>)[field]);
    if (before !== after) out.push(`${section}.${field} ${field === 'token' ? 'changed' : `${before} → ${after}`}`);
  }
  return out;
}

// The outcome of one reload attempt, as returned by Gateway.reload(), POST /reload and shown in GET /config.
import { formatProblem, type LoadedConfig, type Problem } from '../config/load.js';
import { isDgpError } from '../errors.js';

export type ReloadTrigger = 'start' | 'watch' | 'signal' | 'admin' | 'api';

export interface ReloadResult {
  ok: boolean;
  /** ISO time the attempt finished. */
  at: string;
  /** The generation serving after the attempt (the new one on success, the unchanged old one on failure). */
  generation: number;
  /** On failure: the first problem, with file:line when it has a place in the config. */
  error?: string;
  /** On failure: the DGP_ERR_* code of the first problem. */
  code?: string;
  /** On failure: every problem, one formatted line each. */
  problems?: string[];
  /** On success: one-line summary of what changed. */
  diff?: string;
  /** On success: settings that keep their running value until a restart. */
  restartRequired?: string[];
  trigger?: ReloadTrigger;
  /** A failed watch-triggered attempt that a newer file change overtook; it was not reported. */
  superseded?: boolean;
}

export function failure(generation: number, code: string, error?: string, problems: string[] = []): ReloadResult {
  return { ok: false, at: new Date().toISOString(), generation, code, error: error ?? problems[0] ?? 'invalid config', problems: problems.length ? problems : [error ?? 'invalid config'] };
}

export function failureFromProblems(generation: number, problems: Problem[], causes: string[] = []): ReloadResult {
  const lines = problems.map(formatProblem);
  const headline = lines[0] && causes[0] ? `${lines[0]}; caused by: ${causes[0]}` : lines[0];
  return failure(generation, problems[0]?.code ?? 'DGP_ERR_RELOAD_FAILED', headline, [...lines, ...causes]);
}

/** An error placed at a JSON pointer of the config: file:line:col, code, message and hint, as one Problem. */
export function problemAt(loaded: Pick<LoadedConfig, 'locate'>, pointer: string, err: unknown): Problem {
  const at = loaded.locate(pointer);
  const code = isDgpError(err) ? err.code : 'DGP_ERR_RELOAD_FAILED';
  const hint = isDgpError(err) ? err.hint : undefined;
  return { code, severity: 'error', message: (err as Error).message, file: at.file, line: at.line, col: at.col, pointer, ...(hint ? { hint } : {}) };
}

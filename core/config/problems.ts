// The Problem record every config check reports, and the position-free Finding the checks produce before load.ts
// maps each JSON pointer to file:line:col.

/** `info` only under `dgp validate --no-env`: an unset ${VAR}, reported and not counted as a problem. */
export type Severity = 'error' | 'warning' | 'info';

export interface Problem {
  code: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  col: number;
  /** JSON pointer into the config, e.g. "/static_resources/clusters/0/lb_policy". */
  pointer: string;
  hint?: string;
}

export interface SourcePos {
  line: number;
  col: number;
}

/** A problem before it is placed in the file: `pos` when the producer knows better than the pointer (env, YAML). */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  pointer: string;
  hint?: string;
  pos?: SourcePos;
}

export function error(code: string, pointer: string, message: string, hint?: string): Finding {
  return { code, severity: 'error', pointer, message, ...(hint ? { hint } : {}) };
}

export function warning(code: string, pointer: string, message: string, hint?: string): Finding {
  return { code, severity: 'warning', pointer, message, ...(hint ? { hint } : {}) };
}

/** Appends a JSON pointer segment (RFC 6901 escaping). */
export function child(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

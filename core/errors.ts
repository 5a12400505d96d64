// Every error code the host emits, in one registry (fastify's FST_ERR_* habit), kept in step with docs/errors.md by a
// test. A plugin's own codes live in its own folder, defined with `defineErrorCode`, which registers them (with their
// summary and fix) so that docs/errors.md lists them too and a DgpError made with the bare code gets their status.
// The host's table is kept by area in core/error-codes/ and assembled here in docs order.
import { CONFIG_ERROR_CODES } from './error-codes/config.js';
import { HTTP_ERROR_CODES } from './error-codes/http.js';
import { RUNTIME_ERROR_CODES } from './error-codes/runtime.js';
import { UPSTREAM_ERROR_CODES } from './error-codes/upstream.js';

export interface ErrorCodeInfo {
  /** HTTP status when the error becomes a local reply. */
  readonly status: number;
  /** One line: what went wrong. */
  readonly summary: string;
  /** What to do about it. */
  readonly fix: string;
}

export const ERROR_CODES = {
  ...CONFIG_ERROR_CODES,
  ...HTTP_ERROR_CODES,
  ...UPSTREAM_ERROR_CODES,
  ...RUNTIME_ERROR_CODES,
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface DgpErrorOptions {
  status?: number;
  hint?: string;
  cause?: unknown;
  /** Extra structured detail (file, line, pointer, attempts...). */
  details?: Record<string, unknown>;
}

/** A coded error: `code` is DGP_ERR_* (or a plugin's prefixed code), `status` applies when it becomes a reply. */
export class DgpError extends Error {
  readonly code: string;
  readonly status: number;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode | (string & {}), message: string, opts: DgpErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DgpError';
    this.code = code;
    const known = (ERROR_CODES as Record<string, ErrorCodeInfo>)[code] ?? pluginCodes().get(code);
    this.status = opts.status ?? known?.status ?? 500;
    this.hint = opts.hint;
    this.details = opts.details;
  }
}

/** A plugin-owned code as registered by defineErrorCode; `owner` names the kind or layer that raises it. */
export interface PluginErrorCodeInfo extends ErrorCodeInfo {
  readonly owner: string | undefined;
}

/** A factory for one plugin-owned code; `code` and `status` are readable for tests and docs. */
export interface ErrorCodeFactory {
  (message: string, opts?: Omit<DgpErrorOptions, 'status'>): DgpError;
  readonly code: string;
  readonly status: number;
}

/**
 * The registry lives on globalThis, not in this module: a plugin that bundles its own copy of the SDK still registers
 * where the host (and `npm run gen:errors`) reads.
 */
const PLUGIN_CODES = Symbol.for('dgp-gateway.plugin-error-codes');

function pluginCodes(): Map<string, PluginErrorCodeInfo> {
  const g = globalThis as { [PLUGIN_CODES]?: Map<string, PluginErrorCodeInfo> };
  return (g[PLUGIN_CODES] ??= new Map());
}

/** Every plugin-owned code registered so far (those of every plugin module loaded in this process). */
export function registeredErrorCodes(): ReadonlyMap<string, PluginErrorCodeInfo> {
  return pluginCodes();
}

/**
 * Defines (and registers) one plugin-owned code: `const E = defineErrorCode('MYPLUGIN_ERR_X', 400, { summary, fix });
 * throw E('msg')`. Host codes cannot be redefined; defining the same code again (a reloaded plugin) replaces it.
 */
export function defineErrorCode(code: string, status: number, info: { summary?: string; fix?: string; owner?: string } = {}): ErrorCodeFactory {
  if (Object.hasOwn(ERROR_CODES, code)) throw new TypeError(`defineErrorCode: ${code} is a host error code`);
  pluginCodes().set(code, { status, summary: info.summary ?? '', fix: info.fix ?? '', owner: info.owner });
  const factory = (message: string, opts: Omit<DgpErrorOptions, 'status'> = {}) => new DgpError(code, message, { ...opts, status });
  return Object.assign(factory, { code, status });
}

export function isDgpError(err: unknown): err is DgpError {
  return err instanceof DgpError || (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'DgpError');
}

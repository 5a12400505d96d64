// The shapes the plugin registry hands out: where a plugin came from, what was loaded, and what went wrong.
import type { ErrorCode } from '../errors.js';
import type { PluginManifest, PluginType } from '../plugin-api.js';

export interface PluginSource {
  /** Absolute path of the plugin folder (a built-in's `filters/<group>/<name>`, or a package folder). */
  readonly folder: string;
  /** Absolute path of the imported entry file (symlinks resolved for third-party packages). */
  readonly entry: string;
  readonly builtin: boolean;
  /** package.json `version` (the gateway's own for built-ins), when known. */
  readonly version: string | undefined;
  /** package.json `name` (the gateway's own for built-ins), when known. */
  readonly packageName: string | undefined;
}

export interface PluginEntry {
  readonly manifest: PluginManifest;
  readonly kind: string;
  /** `manifest.type`, defaulting to 'filter'. */
  readonly type: PluginType;
  /** `manifest.version`, else the package's version. */
  readonly version: string | undefined;
  readonly source: PluginSource;
}

/** One load-time problem; the broken plugin is left out and every other plugin still loads. */
export interface RegistryProblem {
  readonly code: ErrorCode;
  readonly message: string;
  /** The plugin folder (or plugin directory) the problem is about. */
  readonly folder: string;
  readonly hint?: string;
  /** The kind the broken plugin claimed, when it got that far (lets `resolve` explain why a kind is missing). */
  readonly kind?: string;
  /** Kinds an entry that failed to import declares in its source text (its manifest never ran). */
  readonly claims?: readonly string[];
  /** Where in the plugin's source the failure is, when known (a syntax error's line, a throwing top-level line). */
  readonly site?: { readonly file: string; readonly line: number; readonly col: number };
  readonly cause?: unknown;
}

/** One row of `dgp plugins` and GET /plugins. */
export interface PluginListItem {
  kind: string;
  type: PluginType;
  version: string | undefined;
  description: string;
  /** The plugin folder. */
  source: string;
  builtin: boolean;
}

/** A plugin entry file found on disk, not yet imported. */
export interface PluginCandidate {
  readonly folder: string;
  /** Absolute path of the entry file (checked to lie inside `folder`). */
  readonly entry: string;
  readonly builtin: boolean;
  readonly version: string | undefined;
  readonly packageName: string | undefined;
  /** Built-ins only: the kinds and type the folder dictates. */
  readonly expected?: FolderExpectation;
}

export interface FolderExpectation {
  /** Kinds a manifest in this folder may declare (usually exactly one). */
  readonly kinds: readonly string[];
  readonly type: PluginType;
}

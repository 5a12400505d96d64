// Checks one default-exported value against the manifest contract (ARCHITECTURE §3) and, for built-ins, against the
// kind and type its folder dictates. Reports every problem of the manifest at once; never throws.
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { API_VERSION, type PluginManifest, type PluginType } from '../plugin-api.js';
import type { FolderExpectation, RegistryProblem } from './types.js';

export const KIND_PATTERN = '^[a-z0-9_-]+(\\.[a-z0-9_-]+)+$';

const ManifestSchema = Type.Object({
  kind: Type.String({ pattern: KIND_PATTERN, description: 'Dotted lowercase name, e.g. dgp.filter.llm.proxy.' }),
  apiVersion: Type.Integer({ description: `The plugin API version the plugin was written for (this host: ${API_VERSION}).` }),
  description: Type.String({ minLength: 1, description: 'One line for `dgp plugins`.' }),
  type: Type.Optional(Type.Enum(['filter', 'adapter', 'provider'])),
  version: Type.Optional(Type.String()),
  terminal: Type.Optional(Type.Boolean({ description: 'A filter that answers the request itself; nothing may follow it.' })),
  configSchema: Type.Object({}, { description: 'JSON Schema of the config.' }),
  create: Type.Function([], Type.Unknown()),
});
const checker = Compile(ManifestSchema);
const KIND_RE = new RegExp(KIND_PATTERN);
/** Plainer words than the validator's for the fields authors get wrong most. */
const FRIENDLY: Record<string, string> = {
  '/kind': 'must be a dotted lowercase name such as "acme.audit" (letters, digits, _ and -)',
  '/description': 'must be a non-empty string',
  '/type': 'must be "filter", "adapter" or "provider"',
  '/terminal': 'must be true or false',
};

const HINT = 'Export { kind, apiVersion, description, configSchema, create }; see docs/plugin-authoring.md.';

export interface ManifestCheck {
  /** The frozen manifest when the value is usable (then `problems` is empty). */
  manifest: PluginManifest | undefined;
  problems: RegistryProblem[];
}

/** Checks `value` (one element of a default export) found in `folder`. */
export function checkManifest(value: unknown, folder: string, expected?: FolderExpectation): ManifestCheck {
  const problems: RegistryProblem[] = [];
  const kind = kindOf(value);
  const where = kind === undefined ? `Plugin in ${folder}` : `Plugin "${kind}" in ${folder}`;
  const withKind = kind === undefined ? {} : { kind };
  const manifestProblem = (message: string, hint = HINT): void => {
    problems.push({ code: 'DGP_ERR_PLUGIN_MANIFEST', message, folder, hint, ...withKind });
  };

  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    manifestProblem(`${where}: the default export must be a manifest object or an array of them, got ${describe(value)}.`);
    return { manifest: undefined, problems };
  }
  const fieldErrors = [...checker.Errors(value)].map((e) => `${e.instancePath || '/'} ${FRIENDLY[e.instancePath] ?? e.message}`);
  const schema = (value as { configSchema?: unknown }).configSchema;
  if (schema !== undefined && !isPlainObject(schema)) fieldErrors.push('/configSchema must be a plain object (a JSON Schema)');
  const declared = value as { terminal?: unknown; type?: unknown };
  if (declared.terminal === true && (declared.type ?? 'filter') !== 'filter') fieldErrors.push('/terminal only applies to filters (type "filter")');
  if (fieldErrors.length > 0) manifestProblem(`${where} is not a valid manifest: ${unique(fieldErrors).join('; ')}.`);

  const apiVersion = (value as { apiVersion?: unknown }).apiVersion;
  if (Number.isInteger(apiVersion) && apiVersion !== API_VERSION) {
    problems.push({
      code: 'DGP_ERR_PLUGIN_API_VERSION',
      message: `${where} was written for plugin API version ${String(apiVersion)}; this gateway implements version ${API_VERSION}.`,
      folder,
      hint: 'Upgrade the plugin or the gateway so that apiVersion matches.',
      ...withKind,
    });
  }
  if (expected !== undefined && kind !== undefined) checkFolder(value as Partial<PluginManifest>, kind, expected, manifestProblem, where);
  if (problems.length > 0) return { manifest: undefined, problems };
  return { manifest: Object.freeze(value) as PluginManifest, problems };
}

/** A built-in's kind and type must mirror its folder (Envoy's habit), so `dgp.filter.llm.proxy` is found in one place. */
function checkFolder(
  value: Partial<PluginManifest>,
  kind: string,
  expected: FolderExpectation,
  report: (message: string, hint?: string) => void,
  where: string,
): void {
  if (!expected.kinds.includes(kind)) {
    const allowed = expected.kinds.map((k) => `"${k}"`).join(' or ');
    report(`${where}: a built-in's kind must match its folder; expected ${allowed}.`, 'Rename the kind or move the folder.');
  }
  const type: PluginType = value.type ?? 'filter';
  if (type !== expected.type) {
    report(`${where}: type is "${type}" but plugins in this folder are of type "${expected.type}".`, `Set type: '${expected.type}' in the manifest.`);
  }
}

function kindOf(value: unknown): string | undefined {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' && KIND_RE.test(kind) ? kind : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a nested array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}

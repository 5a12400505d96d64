// The loaded plugins of one load: kind → entry, plus every problem found while loading. Immutable once built.
import { suggest } from '../config/did-you-mean.js';
import { DgpError } from '../errors.js';
import type { PluginType } from '../plugin-api.js';
import type { PluginEntry, PluginListItem, RegistryProblem } from './types.js';

export class PluginRegistry {
  readonly problems: readonly RegistryProblem[];
  readonly #entries: ReadonlyMap<string, PluginEntry>;

  /**
   * Takes entries in load order (built-ins first). The first plugin to claim a kind keeps it; each later claim is a
   * DGP_ERR_PLUGIN_DUPLICATE_KIND problem naming both folders, so `dgp validate` shows the clash.
   */
  constructor(entries: Iterable<PluginEntry>, problems: Iterable<RegistryProblem> = []) {
    const kept = new Map<string, PluginEntry>();
    const found = [...problems];
    for (const entry of entries) {
      const first = kept.get(entry.kind);
      if (first === undefined) {
        kept.set(entry.kind, Object.freeze(entry));
        continue;
      }
      found.push({
        code: 'DGP_ERR_PLUGIN_DUPLICATE_KIND',
        message:
          `Kind "${entry.kind}" is provided twice: by ${describeSource(first)} and by ${describeSource(entry)}; ` +
          'the second is ignored.',
        folder: entry.source.folder,
        hint: `Remove one of the two folders: ${first.source.folder} or ${entry.source.folder}.`,
        kind: entry.kind,
      });
    }
    this.#entries = kept;
    this.problems = Object.freeze(found);
  }

  has(kind: string): boolean {
    return this.#entries.has(kind);
  }

  get(kind: string): PluginEntry | undefined {
    return this.#entries.get(kind);
  }

  /** Sorted kinds of every loaded plugin. */
  kinds(): string[] {
    return [...this.#entries.keys()].sort();
  }

  entries(): PluginEntry[] {
    return this.kinds().map((kind) => this.#entries.get(kind) as PluginEntry);
  }

  /**
   * The entry for `kind`, or DGP_ERR_PLUGIN_UNKNOWN_KIND with a "did you mean" and the known kinds; with
   * `expectedType`, DGP_ERR_PLUGIN_WRONG_TYPE when the kind is of another type (e.g. an adapter in http_filters).
   */
  resolve(kind: string, expectedType?: PluginType): PluginEntry {
    const entry = this.#entries.get(kind);
    if (entry === undefined) throw this.#unknownKind(kind);
    if (expectedType !== undefined && entry.type !== expectedType) {
      throw new DgpError('DGP_ERR_PLUGIN_WRONG_TYPE', `Kind "${kind}" is ${a(entry.type)} plugin, but ${a(expectedType)} is expected here.`, {
        hint: WHERE_TO_LIST[entry.type],
        details: { kind, type: entry.type, expectedType },
      });
    }
    return entry;
  }

  /** The rows of `dgp plugins` and GET /plugins, sorted by kind. */
  list(): PluginListItem[] {
    return this.entries().map((e) => ({
      kind: e.kind,
      type: e.type,
      version: e.version,
      description: e.manifest.description,
      source: e.source.folder,
      builtin: e.source.builtin,
    }));
  }

  #unknownKind(kind: string): DgpError {
    const known = this.kinds();
    const failed = this.problems.find((p) => (p.kind === kind || p.claims?.includes(kind)) && p.code !== 'DGP_ERR_PLUGIN_DUPLICATE_KIND');
    const suggestion = failed === undefined ? suggestKindFor(kind, known) : undefined;
    const because = failed === undefined ? '' : `; the plugin in ${failed.folder} that provides it failed to load (${failed.code}: ${failed.message})`;
    const didYouMean = suggestion === undefined ? '' : `; did you mean "${suggestion}"?`;
    const knownList = known.length === 0 ? 'none' : known.join(', ');
    return new DgpError('DGP_ERR_PLUGIN_UNKNOWN_KIND', `Unknown plugin kind "${kind}"${because}${didYouMean}`, {
      hint: `Known kinds: ${knownList}. Add a plugin folder with --plugin-dir or plugins.dirs.`,
      details: { kind, known, ...(suggestion === undefined ? {} : { suggestion }) },
    });
  }
}

/** A typo (edit distance), else a known kind the input is the tail of: `llm.proxy` → `dgp.filter.llm.proxy`. */
function suggestKindFor(kind: string, known: readonly string[]): string | undefined {
  return suggest(kind, known) ?? known.find((k) => k.endsWith(`.${kind.toLowerCase()}`));
}

const WHERE_TO_LIST: Record<PluginType, string> = {
  filter: 'List it under http_filters.',
  adapter: 'List it under static_resources.adapters.',
  provider: "Provider adapters are not listed in the config; name one in an endpoint's llm_meta.provider.",
};

function a(type: PluginType): string {
  return type === 'adapter' ? `an ${type}` : `a ${type}`;
}

function describeSource(entry: PluginEntry): string {
  return entry.source.builtin ? `the built-in ${entry.source.folder}` : entry.source.folder;
}

// Pixiu's dynamic SetEndpoint / DeleteEndpoint semantics (spec §3.6) as pure functions from one snapshot's entries to
// the next: idempotent on equal content, replace in place on an explicit id, suffixing on a generated-id collision.
import type { Logger } from 'pino';
import type { EndpointInput, EndpointView } from '../cluster-api.js';
import type { ClusterSnapshot } from './cluster-snapshot.js';
import {
  authorityOf,
  contentFromInput,
  makeView,
  sameAddress,
  sameContent,
  type EndpointContent,
  type EndpointEntry,
} from './endpoint-entry.js';
import { defaultEndpointName, generateEndpointId } from './endpoint-id.js';

export interface SetEndpointResult {
  /** The next entries, or undefined when nothing changed (idempotent). */
  readonly entries: readonly EndpointEntry[] | undefined;
  /** The endpoint as it now stands. */
  readonly view: EndpointView;
}

function entryAt(
  index: number,
  id: string,
  input: EndpointInput,
  content: EndpointContent,
  source: string,
  healthy: boolean,
): EndpointEntry {
  const name = input.name || defaultEndpointName(index, content.llm_meta?.provider);
  return { content, seedHealthy: !input.unhealthy, view: makeView(content, { id, name, healthy, source }) };
}

export function applySetEndpoint(snap: ClusterSnapshot, input: EndpointInput, source: string, log: Logger): SetEndpointResult {
  const content = contentFromInput(input);
  const cluster = snap.name;
  const entries = snap.entries;
  const append = (id: string): SetEndpointResult => {
    const entry = entryAt(entries.length, id, input, content, source, !input.unhealthy);
    return { entries: [...entries, entry], view: entry.view };
  };

  if (input.id) {
    const i = snap.indexOf(input.id);
    if (i === -1) return append(input.id);
    const old = entries[i];
    if (sameContent(old.content, content)) return { entries: undefined, view: old.view };
    const draft = entryAt(i, input.id, input, content, source, old.view.healthy);
    // A moved endpoint is a different server: its old health verdict says nothing about the new one.
    const moved = !sameAddress(old.view, draft.view);
    const entry = moved ? entryAt(i, input.id, input, content, source, !input.unhealthy) : draft;
    if (moved) {
      log.warn(
        { cluster, endpoint: input.id },
        `endpoint ${input.id} in cluster ${cluster} overwritten by SetEndpoint (address ${old.view.authority} -> ${entry.view.authority})`,
      );
    }
    const next = entries.slice();
    next[i] = entry;
    return { entries: next, view: entry.view };
  }

  const base = generateEndpointId(cluster, {
    authority: authorityOf(content),
    provider: content.llm_meta?.provider ?? '',
    apiKey: content.llm_meta?.api_key ?? '',
  });
  // Probe base, base-2, base-3…: equal content reuses that slot; the first free id is appended. Bounded by entries.length.
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    const i = snap.indexOf(candidate);
    if (i === -1) {
      if (n > 1) log.warn({ cluster, endpoint: candidate }, `duplicate endpoint ID ${base} in cluster ${cluster}, assigned endpoint ID ${candidate}`);
      return append(candidate);
    }
    if (sameContent(entries[i].content, content)) return { entries: undefined, view: entries[i].view };
  }
}

/** The entries without `id`, or undefined when it is not there. */
export function applyDeleteEndpoint(snap: ClusterSnapshot, id: string): EndpointEntry[] | undefined {
  const i = snap.indexOf(id);
  if (i === -1) return undefined;
  return snap.entries.filter((_, j) => j !== i);
}

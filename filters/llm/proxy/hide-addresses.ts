// Upstream failure text a client may read (error replies, stream error events) names endpoints by id, never by
// address: socket errors quote the peer ("connect ECONNREFUSED 10.0.3.7:8000"), and internal addresses are the
// operator's business. The access log and the server log keep the addresses.
import type { EndpointView } from '../../../core/index.js';

// IPv4 with an optional port, and bracketed IPv6 with an optional port.
const ADDRESS = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b|\[[0-9a-fA-F:.%\w]*:[0-9a-fA-F:.%\w]*\](?::\d{1,5})?/g;

/** `text` with the endpoint's authority, host and address, and any IP address, replaced by `[<endpoint id>]`. */
export function hideAddresses(text: string, ep?: Pick<EndpointView, 'id' | 'authority' | 'host' | 'address'>): string {
  const name = ep === undefined ? '[upstream]' : `[${ep.id}]`;
  let out = text;
  if (ep !== undefined) {
    for (const a of [ep.authority, ep.host, ep.address]) if (a.length >= 4 && out.includes(a)) out = out.split(a).join(name);
  }
  return out.replace(ADDRESS, name);
}

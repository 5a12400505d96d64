// Listener checks: one HCM per listener, unique names, no two listeners (or a listener and the admin listener) on
// one address and port, HTTPS with its files; and the admin listener's token rules.
import { isLoopbackAddress } from '../admin/host-check.js';
import { items, listenerName, listenersOf, rec, str, sub, type At } from './config-walk.js';
import { child, error, type Finding } from './problems.js';
import { HCM_KIND } from './schema/index.js';

const WILDCARD = new Set(['0.0.0.0', '::', '']);

export function checkListeners(value: unknown): Finding[] {
  const out: Finding[] = [];
  const names = new Map<string, string>();
  const bound: Array<{ address: string; port: number; ptr: string }> = [];
  listenersOf(value).forEach((l, i) => {
    const name = listenerName(l, i);
    const filters = items(sub(l, 'filter_chains'), 'filters');
    const hcms = filters.filter((f) => f.v.name === HCM_KIND);
    if (Array.isArray(sub(l, 'filter_chains')?.v.filters) && filters.length === 0) {
      out.push(error('DGP_ERR_CONFIG_SCHEMA', child(l.ptr, 'filter_chains'), `listener "${name}" has no ${HCM_KIND}`, `add filter_chains: { filters: [ { name: ${HCM_KIND}, config: { route_config: ..., http_filters: ... } } ] }`));
    }
    for (const extra of hcms.slice(1)) out.push(error('DGP_ERR_CONFIG_SCHEMA', extra.ptr, `listener "${name}" has more than one ${HCM_KIND}`, 'merge their routes and http_filters into one'));
    const first = names.get(name);
    if (first !== undefined) out.push(error('DGP_ERR_CONFIG_DUPLICATE', child(l.ptr, 'name'), `duplicate listener name "${name}" (also at ${first})`, 'give every listener its own name'));
    else names.set(name, l.ptr);
    const sock = sub(sub(l, 'address'), 'socket_address');
    const port = sock?.v.port;
    if (sock && typeof port === 'number' && port !== 0) {
      const address = str(sock.v.address) ?? '0.0.0.0';
      // A wildcard address takes the port on every interface, so it clashes with any address on that port.
      const other = bound.find((b) => b.port === port && (b.address === address || WILDCARD.has(b.address) || WILDCARD.has(address)));
      if (other) out.push(error('DGP_ERR_CONFIG_DUPLICATE', child(sock.ptr, 'port'), `listener "${name}" binds ${address}:${port}, which the listener at ${other.ptr} (${other.address}:${port}) already takes`, 'use another port'));
      else bound.push({ address, port, ptr: l.ptr });
    }
    const cfg = sub(l, 'config');
    if (l.v.protocol_type === 'HTTPS' && (!str(cfg?.v.cert_file) || !str(cfg?.v.key_file))) {
      out.push(error('DGP_ERR_CONFIG_SCHEMA', child(l.ptr, 'protocol_type'), `listener "${name}" is HTTPS but config.cert_file or config.key_file is empty`, 'set both to PEM files (relative to the config directory), or use protocol_type: HTTP'));
    }
  });
  return out;
}

/** Property 41: an admin listener reachable from other machines needs a token; a set token must not be guessable. */
const MIN_ADMIN_TOKEN = 16;

export function checkAdmin(value: unknown, raw: unknown): Finding[] {
  const root = rec(value);
  const admin = sub(root ? { v: root, ptr: '' } : undefined, 'admin');
  if (!admin || admin.v.enabled === false) return [];
  const address = str(admin.v.address) ?? '127.0.0.1';
  const token = typeof admin.v.token === 'string' ? admin.v.token : '';
  if (token !== '' && token.length < MIN_ADMIN_TOKEN) {
    return [error('DGP_ERR_ADMIN_TOKEN_REQUIRED', child(admin.ptr, 'token'), `admin.token is ${token.length} characters long; at least ${MIN_ADMIN_TOKEN} are required`, 'use a random string, e.g. `openssl rand -hex 24`, passed as token: ${DGP_ADMIN_TOKEN}')];
  }
  if (token === '' && !isLoopbackAddress(address)) {
    return [error('DGP_ERR_ADMIN_TOKEN_REQUIRED', child(admin.ptr, 'address'), `the admin listener binds ${address}, reachable from other machines, but admin.token is not set`, 'set admin.token: ${DGP_ADMIN_TOKEN} (16+ random characters), or bind address: 127.0.0.1')];
  }
  return checkAdminPort(value, admin, address, typeof rec(rec(raw)?.admin)?.port === 'number');
}

/** The admin listener binds after the traffic listeners: sharing a port with one fails the start with EADDRINUSE. */
function checkAdminPort(value: unknown, admin: At, address: string, written: boolean): Finding[] {
  const port = typeof admin.v.port === 'number' ? admin.v.port : ADMIN_DEFAULT_PORT;
  if (port === 0) return [];
  const taken = boundPorts(value).find((b) => b.port === port && (b.address === address || WILDCARD.has(b.address) || WILDCARD.has(address)));
  if (!taken) return [];
  if (!written) {
    return [error('DGP_ERR_CONFIG_DUPLICATE', taken.ptr, `listener "${taken.name}" binds ${taken.address}:${port}, the admin listener's default port (${address}:${port}); the gateway would fail to start`, `use another port for the listener, or set admin: { port: <another port> }`)];
  }
  return [error('DGP_ERR_CONFIG_DUPLICATE', child(admin.ptr, 'port'), `the admin listener binds ${address}:${port}, which listener "${taken.name}" (${taken.address}:${port}) already takes; the gateway would fail to start`, `give admin another port, e.g. port: ${port === ADMIN_DEFAULT_PORT ? port + 1 : ADMIN_DEFAULT_PORT}`)];
}

const ADMIN_DEFAULT_PORT = 8889;

function boundPorts(value: unknown): Array<{ name: string; address: string; port: number; ptr: string }> {
  const out: Array<{ name: string; address: string; port: number; ptr: string }> = [];
  listenersOf(value).forEach((l, i) => {
    const sock = sub(sub(l, 'address'), 'socket_address');
    const port = sock?.v.port;
    if (typeof port === 'number' && port !== 0) out.push({ name: listenerName(l, i), address: str(sock!.v.address) ?? '0.0.0.0', port, ptr: child(sock!.ptr, 'port') });
  });
  return out;
}

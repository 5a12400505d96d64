// Which Host and Origin values the admin listener trusts. A DNS-rebinding page reaches the admin port under the
// attacker's own host name, so the Host header is the tell: IP literals and loopback names cannot be rebound.
import { isIP } from 'node:net';

/** 127.0.0.0/8, ::1, ::ffff:127.x and localhost: only this machine can connect. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  return a === 'localhost' || a === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** The host name of a Host header value (`name`, `name:port`, `[v6]:port`), lower-cased, without port or brackets. */
export function hostName(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']') === -1 ? undefined : v.indexOf(']'));
  const colon = v.indexOf(':');
  return (colon === -1 ? v : v.slice(0, colon)).replace(/\.$/, '');
}

/**
 * True when `host` (a Host header value) names the admin listener: any IP literal (a browser only sends one when the
 * page's URL held it, so nothing was rebound), localhost and its subdomains (RFC 6761 reserves them for loopback),
 * the bound address, and `allowed` names (exact, or `*.suffix` for subdomains). The port is not compared: port
 * forwards (ssh -L, kubectl port-forward) change it, and a rebinding attacker has the right port anyway.
 */
export function isAllowedHost(host: string | undefined, bound: string, allowed: readonly string[]): boolean {
  if (!host) return false;
  const name = hostName(host);
  if (name === '' || isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === hostName(bound)) return true;
  return allowed.some((a) => {
    const want = a.trim().toLowerCase();
    return want.startsWith('*.') ? name.endsWith(want.slice(1)) : name === want;
  });
}

/** True when an Origin header value's host is one the admin listener answers to (`null` and garbage are foreign). */
export function isTrustedOrigin(origin: string, bound: string, allowed: readonly string[]): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isAllowedHost(url.host, bound, allowed);
  } catch {
    return false;
  }
}

// Request-line and framing checks before routing. An absolute-form target (`POST http://host:port/p`, RFC 9112 §3.2.2)
// is rewritten to origin-form, its authority replacing Host as the RFC requires of a server and as Envoy does; it is
// never forwarded as a URL. A Transfer-Encoding other than one `chunked` (e.g. `identity` plus `chunked`, two fields)
// is refused: RFC 9112 §6.1 lets a server reject what it does not understand, and split framing is how requests smuggle.
import type { IncomingMessage } from 'node:http';
import { DgpError } from '../errors.js';

/** Undefined when the request may go on (its url possibly rewritten), else the 400 to answer with. */
export function checkRequest(req: IncomingMessage): DgpError | undefined {
  const te = transferEncodings(req.rawHeaders);
  if (te.length > 1 || (te.length === 1 && te[0]!.trim().toLowerCase() !== 'chunked')) {
    return new DgpError('DGP_ERR_HTTP_MALFORMED', `Transfer-Encoding "${te.join(', ')}" is refused: only a single "chunked" is accepted`, {
      status: 400,
      hint: 'send one Transfer-Encoding: chunked header, or a Content-Length',
    });
  }
  const url = req.url ?? '/';
  if (url.startsWith('/')) return undefined;
  if (url === '*' && req.method === 'OPTIONS') return undefined;
  if (/^https?:\/\//i.test(url)) {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return malformedTarget();
    }
    req.url = `${target.pathname}${target.search}`;
    req.headers.host = target.host;
    return undefined;
  }
  return malformedTarget();
}

function malformedTarget(): DgpError {
  return new DgpError('DGP_ERR_HTTP_MALFORMED', 'the request target is neither an origin-form path nor an http(s) absolute URL', {
    status: 400,
    hint: 'send a path such as /v1/chat/completions',
  });
}

function transferEncodings(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') out.push(raw[i + 1] ?? '');
  }
  return out;
}

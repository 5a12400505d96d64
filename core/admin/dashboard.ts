// The web dashboard: three static files (dashboard/ at the package root, shipped in the npm package, no build step,
// nothing from a CDN) served by the admin listener at /dashboard. The files hold no data, so they are served without
// the admin token (a browser navigation cannot send an Authorization header); the page asks for the token and sends
// it with every data request (/metrics, /config, the keys API), which the guard checks as for any other client. The
// Host check still applies, and the content security policy keeps the page to its own origin.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import { fileURLToPath } from 'node:url';

const FILES: Record<string, { file: string; type: string }> = {
  '/dashboard': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/metrics.js': { file: 'metrics.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

export const DASHBOARD_PATHS: readonly string[] = Object.keys(FILES);

const HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** dashboard/ at the package root: two levels up from core/admin (tsx), three from dist/core/admin (the build). */
function findDir(): string | undefined {
  for (const up of ['../../dashboard/', '../../../dashboard/']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

const dir = findDir();

/**
 * Answers a dashboard path; false when `path` is not one (the caller goes on). The page is told whether the gateway
 * has an admin token, so it asks for it before its first data request instead of collecting a 401.
 */
export async function serveDashboard(method: string, path: string, res: http.ServerResponse, tokenRequired: boolean): Promise<boolean> {
  const entry = FILES[path];
  if (entry === undefined) return false;
  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    res.end(`${method} not allowed on ${path} (allowed: GET)\n`);
    return true;
  }
  if (dir === undefined) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('the dashboard files (dashboard/ in the package) are missing from this installation\n');
    return true;
  }
  let body = await readFile(`${dir}${entry.file}`);
  if (entry.file === 'index.html') body = Buffer.from(body.toString('utf8').replace('<body>', `<body data-token-required="${tokenRequired}">`));
  res.writeHead(200, { ...HEADERS, 'content-type': entry.type, 'content-length': body.length });
  res.end(method === 'HEAD' ? undefined : body);
  return true;
}

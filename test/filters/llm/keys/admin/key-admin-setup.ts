// Shared setup of the key-API tests: a real gateway whose fixture plugin mounts the key API on a SQLite file or a
// PostgreSQL database, and a fetch-based caller on 127.0.0.1.
import { fileURLToPath } from 'node:url';
import { startGateway, type TestGateway } from '../../../../helpers/gateway.js';

export const PLUGINS = fileURLToPath(new URL('../../../../fixtures/key-admin-plugin', import.meta.url));
export const MASTER = 'sk-master-0123456789abcdef';
export const TOKEN = 'adm-token-0123456789abcdef';
export const MASTER_AUTH = { authorization: `Bearer ${MASTER}` };

export function keyAdminConf(store: { sqlite_path?: string; postgres_url?: string }): string {
  const where = store.postgres_url ? `postgres_url: "${store.postgres_url}"` : `sqlite_path: "${store.sqlite_path}"`;
  return `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes: [{match: {prefix: /}, route: {cluster: c}}]
              http_filters:
                - name: test.keys.admin
                  config: {master_key: ${MASTER}, ${where}}
  clusters:
    - name: c
      endpoints: [{id: e1, socket_address: {address: 127.0.0.1, port: 9}}]
admin: {address: 127.0.0.1, port: 0, token: ${TOKEN}}
`;
}

export interface Answer {
  status: number;
  body: any;
}

export type Call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Answer>;

export async function startKeyAdmin(store: { sqlite_path?: string; postgres_url?: string }): Promise<{ g: TestGateway; call: Call }> {
  const g = await startGateway(keyAdminConf(store), { pluginDirs: [PLUGINS] });
  const call: Call = async (method, path, body, headers = MASTER_AUTH) => {
    const res = await fetch(`${g.adminUrl}${path}`, {
      method,
      // The admin guard refuses state changes without a JSON content type (no cross-site form posts).
      headers: { ...headers, ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return { g, call };
}

/** Audit records of the captured log. */
export const mutations = (g: TestGateway) => g.logs.filter((l) => l.event === 'admin_mutation');

// Third-party plugins import the SDK by its package name (`dgp-gateway`, `dgp-gateway/llm`, `dgp-gateway/testing`).
// Those imports resolve to the running host's own modules, wherever the plugin folder is and whether or not it has
// a copy of the package in its node_modules: a plugin must share the host's module instances (attribute keys such as
// LlmExchangeKey are slots in the host's request context, DgpError is the host's class), and a plugin folder under
// /opt or the config directory has no node_modules of its own.
import { register } from 'node:module';

let linked = false;

/** Installs the resolve hook once per process (before the first third-party import). */
export function linkSdkForPlugins(): void {
  if (linked) return;
  linked = true;
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const entry = (path: string): string => new URL(`../${path}.${ext}`, import.meta.url).href;
  const entries: Record<string, string> = {
    'dgp-gateway': entry('index'),
    'dgp-gateway/llm': entry('llm/index'),
    'dgp-gateway/testing': entry('testing/index'),
  };
  register(new URL(`./sdk-hooks.${ext}`, import.meta.url), { data: { entries } });
}

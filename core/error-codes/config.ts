// The host's error codes for loading a config and its plugins: conf.yaml parsing and validation (DGP_ERR_CONFIG_*)
// and plugin discovery, import and creation (DGP_ERR_PLUGIN_*). Part of the registry in core/errors.ts.
import type { ErrorCodeInfo } from '../errors.js';

export const CONFIG_ERROR_CODES = {
  // --- config ---
  DGP_ERR_CONFIG_NOT_FOUND: { status: 500, summary: 'No conf.yaml in the config directory, or the -c file does not exist.', fix: 'Pass --config-dir <dir> holding conf.yaml, or -c <file>.' },
  DGP_ERR_CONFIG_YAML: { status: 500, summary: 'The YAML does not parse.', fix: 'Fix the syntax at the reported file:line (indentation, quotes, tabs).' },
  DGP_ERR_CONFIG_ENV_UNSET: { status: 500, summary: 'A ${VAR} placeholder names an unset environment variable and has no default.', fix: 'Export the variable, or write ${VAR:-default} (an empty default is allowed: ${VAR:-}).' },
  DGP_ERR_CONFIG_ENV_SYNTAX: { status: 500, summary: 'A ${...} placeholder is malformed.', fix: 'Use ${NAME} or ${NAME:-default}; NAME is letters, digits and underscores.' },
  DGP_ERR_CONFIG_SCHEMA: { status: 500, summary: 'A field has the wrong type, a wrong value, is missing or is unknown.', fix: 'Follow the hint; docs/configuration.md lists every field with its type and default.' },
  DGP_ERR_CONFIG_PROTO_KEY: { status: 500, summary: 'A YAML key is __proto__, constructor or prototype (prototype pollution).', fix: 'Remove or rename the key.' },
  DGP_ERR_CONFIG_DOMAIN: { status: 500, summary: 'socket_address.domains or socket_address.address holds a URL (scheme or path) instead of a host name.', fix: 'Write the bare host, e.g. api.openai.com, not https://api.openai.com/v1.' },
  DGP_ERR_CONFIG_DUPLICATE: { status: 500, summary: 'Two listeners, clusters, routes or adapters share a name, address or id that must be unique.', fix: 'Rename or remove one of them.' },
  DGP_ERR_CONFIG_REFERENCE: { status: 500, summary: 'A route names a cluster that is not defined and no adapter can create it.', fix: 'Define the cluster under static_resources.clusters, or fix the name.' },
  DGP_ERR_CONFIG_PIXIU_COMPAT: { status: 500, summary: 'A mistake Pixiu tolerates silently (a warning; an error under --strict).', fix: 'Apply the exact fix the message gives.' },
  DGP_ERR_CONFIG_DURATION: { status: 500, summary: 'A duration is not a Go-style duration string or a number of milliseconds.', fix: 'Write e.g. 500ms, 5s, 1m30s, or a number of milliseconds.' },
  DGP_ERR_CONFIG_FILTER_ORDER: { status: 500, summary: 'A filter is listed after a terminal filter (e.g. dgp.filter.llm.proxy), so it would never run.', fix: 'Move the filter before the terminal one in http_filters (the message names both).' },
  DGP_ERR_CONFIG_ROUTE_MODEL: { status: 500, summary: "A route matches on match.model, but no filter of its listener reads the request's model (the routeModel hook).", fix: 'Add dgp.filter.llm.proxy (or another filter with routeModel) to the listener http_filters, or drop match.model.' },
  DGP_ERR_CONFIG_ROUTE_FILTER: { status: 500, summary: "A route's filters: override names a filter that is not in the listener's http_filters.", fix: 'Fix the kind (a suggestion is given) or add the filter to the listener\'s http_filters.' },
  DGP_ERR_CONFIG_TOO_LARGE: { status: 500, summary: 'The config is larger, nests deeper, or holds a longer string or key than the parser accepts; it was refused before any other check.', fix: 'Keep conf.yaml under 4 MiB, nesting under 64 levels and each string under 64 KiB (a key under 1 KiB); put large data in files the plugin reads.' },
  // --- plugins ---
  DGP_ERR_PLUGIN_UNKNOWN_KIND: { status: 500, summary: 'No loaded plugin provides this kind.', fix: 'Check the spelling (a suggestion is given), or add the plugin folder with --plugin-dir or plugins.dirs.' },
  DGP_ERR_PLUGIN_DUPLICATE_KIND: { status: 500, summary: 'Two plugins provide the same kind.', fix: 'Remove one of the two folders named in the message.' },
  DGP_ERR_PLUGIN_IMPORT: { status: 500, summary: 'A plugin entry failed to import.', fix: 'Run `node <entry>` to see the error; check package.json "dgp.entry" or "main".' },
  DGP_ERR_PLUGIN_MANIFEST: { status: 500, summary: 'A plugin default export is not a valid manifest (or array of manifests).', fix: 'Export { kind, apiVersion, description, configSchema, create }; see docs/plugin-authoring.md.' },
  DGP_ERR_PLUGIN_API_VERSION: { status: 500, summary: 'A plugin was written for another plugin API version.', fix: 'Upgrade the plugin or the gateway so that apiVersion matches.' },
  DGP_ERR_PLUGIN_CONFIG: { status: 500, summary: "A filter's or adapter's config does not match its configSchema.", fix: "Follow the hint; the plugin's README lists its options." },
  DGP_ERR_PLUGIN_CREATE: { status: 500, summary: "A plugin's create() threw.", fix: 'Read the cause; usually a config value the schema could not catch.' },
  DGP_ERR_PLUGIN_WRONG_TYPE: { status: 500, summary: 'A kind was used where another plugin type is expected (e.g. an adapter in http_filters).', fix: 'Move it to the right section.' },
  DGP_ERR_PLUGIN_DIR: { status: 500, summary: 'A plugin directory does not exist, or holds neither a package.json nor subfolders with one.', fix: 'Fix plugins.dirs or --plugin-dir: each is a plugin package or a folder of plugin packages.' },
  DGP_ERR_PLUGIN_PACKAGE: { status: 500, summary: "A plugin's package.json is unreadable, or its entry is missing or lies outside the package folder.", fix: 'Set "dgp": { "entry": "./index.js" } (or "main") to a file inside the package folder.' },
  DGP_ERR_PLUGIN_TIMEOUT: { status: 500, summary: "A plugin's create() did not settle within plugins.create_timeout (the load or reload fails), or its close()/stop() not within plugins.close_timeout (logged; shutdown goes on).", fix: 'Fix the plugin (a create() that waits on something unreachable), or raise plugins.create_timeout / plugins.close_timeout.' },
  DGP_ERR_PLUGIN_UNSAFE: { status: 500, summary: 'A plugin package or its entry is symlinked out of its plugin directory, or is writable by every user; it is refused.', fix: 'Copy the package into the plugin directory and chmod o-w it (or set plugins.allow_unsafe: true to load it with a warning).' },
  DGP_ERR_PLUGIN_INTEGRITY: { status: 500, summary: "plugins.integrity is set and a plugin package is not listed there, or its entry's sha256 differs from the pinned one; it is refused.", fix: 'Check the file was not tampered with; pin the new hash (sha256sum <entry>) under plugins.integrity.<folder>.' },
} as const satisfies Record<string, ErrorCodeInfo>;

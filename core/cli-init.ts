// `dgp init`: a commented conf.yaml for a chosen set of providers, valid as written and startable with no
// environment variables (every key is ${VAR:-}); the user exports the keys they have.

export interface ProviderPreset {
  /** Cluster name and the value of `llm_meta.provider`. */
  name: string;
  provider: 'openai' | 'anthropic' | 'gemini';
  host: string;
  port: number;
  scheme: 'http' | 'https';
  keyVar: string;
  /** Which clients' requests go here by path (the API they speak); '' when only the x-dgp-provider header selects it. */
  clientPath: '/v1/' | '/v1/messages' | '/v1beta/' | '';
  note: string;
}

export const PRESETS: Readonly<Record<string, ProviderPreset>> = {
  openai: { name: 'openai', provider: 'openai', host: 'api.openai.com', port: 443, scheme: 'https', keyVar: 'OPENAI_API_KEY', clientPath: '/v1/', note: 'OpenAI (Chat Completions, Responses, embeddings)' },
  anthropic: { name: 'anthropic', provider: 'anthropic', host: 'api.anthropic.com', port: 443, scheme: 'https', keyVar: 'ANTHROPIC_API_KEY', clientPath: '/v1/messages', note: 'Anthropic Messages API' },
  gemini: { name: 'gemini', provider: 'gemini', host: 'generativelanguage.googleapis.com', port: 443, scheme: 'https', keyVar: 'GEMINI_API_KEY', clientPath: '/v1beta/', note: 'Google Gemini API (generateContent)' },
  deepseek: { name: 'deepseek', provider: 'openai', host: 'api.deepseek.com', port: 443, scheme: 'https', keyVar: 'DEEPSEEK_API_KEY', clientPath: '', note: 'DeepSeek (OpenAI-compatible)' },
  vllm: { name: 'vllm', provider: 'openai', host: '127.0.0.1', port: 8000, scheme: 'http', keyVar: 'VLLM_API_KEY', clientPath: '', note: 'a self-hosted vLLM server (OpenAI-compatible), on this machine' },
};

/** The conf.yaml text for `providers` (names of PRESETS, in order; the first OpenAI-API one serves OpenAI clients). */
export function initConfig(providers: readonly string[]): string {
  const chosen = providers.map((p) => PRESETS[p]!);
  const openaiDefault = chosen.find((p) => p.clientPath === '/v1/') ?? chosen.find((p) => p.provider === 'openai');
  const routes: string[] = [];
  for (const p of chosen.filter((c) => c !== openaiDefault)) {
    routes.push(`                  # x-dgp-provider: ${p.name} sends any client's request to ${p.note}.
                  - id: ${p.name}-by-header
                    match: {prefix: /, headers: [{name: x-dgp-provider, values: [${p.name}]}]}
                    route: {cluster: ${p.name}}`);
  }
  for (const p of chosen) {
    const path = p === openaiDefault ? '/v1/' : p.clientPath;
    if (!path) continue;
    const who = path === '/v1/' ? 'OpenAI SDK clients (base URL http://localhost:8888/v1)' : path === '/v1/messages' ? 'Anthropic SDK clients (base URL http://localhost:8888)' : 'Gemini clients (base URL http://localhost:8888)';
    routes.push(`                  # ${who} → ${p.note}.
                  - id: ${p.name}
                    match: {prefix: ${path}}
                    route: {cluster: ${p.name}}`);
  }
  // More specific prefixes first: Pixiu matches routes in order.
  routes.sort((a, b) => weight(a) - weight(b));
  const clusters = chosen.map(
    (p) => `    # ${p.note}. Without ${p.keyVar} the client's own key passes through; with it, clients need DGP_API_KEY.
    - name: ${p.name}
      lb_policy: RoundRobin
      endpoints:
        - id: ${p.name}
          socket_address: {${p.host === '127.0.0.1' ? `address: ${p.host}` : `domains: [${p.host}]`}, port: ${p.port}}
          llm_meta:
            provider: ${p.provider}
            scheme: ${p.scheme}
            api_key: \${${p.keyVar}:-}
            retry_policy: {name: ExponentialBackoff, config: {times: 2, initialInterval: 200ms, maxInterval: 2s}}`,
  );
  return `# dgp-gateway config written by \`dgp init --providers ${providers.join(',')}\`.
# Start it: dgp start --config-dir <this folder>. Check it: dgp validate; see what it routes: dgp routes.
# Every key is \${VAR:-}: the gateway starts with none set. Export the provider keys you have; once one is set,
# clients must present the virtual key in DGP_API_KEY (Authorization: Bearer, x-api-key or x-goog-api-key),
# so the provider key is never lent to anonymous callers. Reference: docs/configuration.md.
static_resources:
  listeners:
    - name: llm
      address:
        socket_address: {address: 0.0.0.0, port: 8888}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
${routes.join('\n')}
              http_filters:
                # Who is calling: a virtual key is required whenever the cluster holds a provider key.
                - name: dgp.filter.llm.keys
                  config:
                    require_key: when_endpoint_key
                    keys:
                      - {key: "\${DGP_API_KEY:-}", alias: default}
                # Token counts and time to first token (metrics, access log); before the proxy so it times the call.
                - name: dgp.filter.llm.tokenizer
                  config: {log_to_console: false}
                # The upstream call: retries, fallback, streaming, translation between client and provider APIs.
                - name: dgp.filter.llm.proxy
                  config: {timeout: 600s}
      config: {idle_timeout: 5s, read_timeout: 60s}
  clusters:
${clusters.join('\n')}
  shutdown_config: {timeout: 30s}

# Health, readiness, metrics, the effective config and routes, reload: http://127.0.0.1:8889/
admin:
  address: 127.0.0.1
  port: 8889
  token: \${DGP_ADMIN_TOKEN:-}
`;
}

/** Header routes first, then longer path prefixes. */
function weight(route: string): number {
  if (route.includes('-by-header')) return 0;
  const prefix = /prefix: (\S+)\}/.exec(route)?.[1] ?? '/';
  return 1000 - prefix.length;
}

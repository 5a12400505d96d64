// The CLI's help texts: `dgp --help` and `dgp <command> --help`.

const SOURCE = `  -d, --config-dir <dir>   folder holding conf.yaml (default: ./configs)
  -c, --config <file>      a single Pixiu-style conf.yaml instead of a folder
  -p, --plugin-dir <dir>   a third-party plugin folder (repeatable; adds to plugins.dirs)`;

export const USAGE = `usage: dgp <command> [options]

commands:
  init        write a commented conf.yaml for the providers you use
  start       run the gateway
  validate    check the config and every plugin config it names; exit 0 valid, 1 invalid, 2 usage error
  plugins     list every plugin kind found, its source folder, version and description

\`dgp <command> --help\` describes one command and its options.

options:
${SOURCE}
      --strict             Pixiu-compatibility warnings become errors
      --no-watch           do not watch the config and plugin folders (start)
      --workers <n|auto>   start: run n gateway processes sharing the listeners (auto = CPU cores; default 1)
      --pretty             start: readable log lines for a terminal instead of JSON (log.format: pretty)
      --no-env             validate: check the structure only; an unset \${VAR} is reported as info
      --json               machine-readable output (validate, plugins, routes)
  -h, --help               this text
  -v, --version            print the version`;

export const COMMAND_HELP: Readonly<Record<string, string>> = {
  start: `usage: dgp start [options]

Runs the gateway on a config until SIGTERM or SIGINT (then drains in-flight requests, streams included, for up to
static_resources.shutdown_config.timeout). Reloads on SIGHUP, on POST /reload to the admin listener and, unless
--no-watch, whenever conf.yaml, a file it references or a plugin folder changes; a failed reload keeps the running
config. The start line names every listener's URL and the admin URL.

options:
${SOURCE}
      --strict             Pixiu-compatibility warnings become errors (the gateway does not start)
      --no-watch           do not watch the config and plugin folders
      --workers <n|auto>   run n gateway processes sharing the listeners (auto = CPU cores; default 1)
      --pretty             readable log lines for a terminal instead of JSON (same as log.format: pretty)

examples:
  dgp start                                   # ./configs/conf.yaml
  dgp start -c pixiu.yaml --workers auto
  dgp start --config-dir /etc/dgp --plugin-dir /opt/dgp-plugins --pretty`,
  validate: `usage: dgp validate [options]

Checks conf.yaml and every plugin config it names, opening no sockets and calling no plugin's create(): YAML, schema,
durations, references, Pixiu-compatibility mistakes, plugin loading, kinds. Every problem is listed at once as
file:line:col severity CODE /json/pointer: message (the fix). Exit 0 valid, 1 invalid, 2 usage error.

options:
${SOURCE}
      --strict             Pixiu-compatibility warnings become errors
      --no-env             structure only: an unset \${VAR} (without a default) is reported as info, not an error,
                           so a CI job can validate a config whose secrets it does not have
      --json               {"valid", "file", "errors", "warnings", "infos"} on stdout

examples:
  dgp validate
  dgp validate --strict -c pixiu.yaml
  dgp validate --no-env --json -d deploy/configs`,
  init: `usage: dgp init [--providers <list>] [--config-dir <dir>] [--force]

Writes <dir>/conf.yaml (default ./configs/conf.yaml): one listener on :8888 with virtual keys, the tokenizer and the
proxy; one cluster per provider; routes by the API each client speaks (OpenAI clients under /v1/, Anthropic clients
/v1/messages, Gemini clients /v1beta/) and an x-dgp-provider header to pick any provider; admin on 127.0.0.1:8889.
Every key is \${VAR:-}, so it starts with no environment variable set. The written file is validated.

options:
      --providers <list>   comma-separated: openai, anthropic, gemini, deepseek, vllm (default: openai)
  -d, --config-dir <dir>   where to write conf.yaml (default: ./configs)
      --force              replace an existing conf.yaml

example:
  dgp init --providers openai,anthropic,vllm -d my-gateway`,
  request: `usage: dgp request [options]

Starts the config in this process — every listener on a free loopback port, no admin listener, so it never clashes
with a running gateway —, sends one request, prints the status, headers and body (first 8 KiB), the routing (the
x-dgp-route trace when the route asks for it, else route, cluster, endpoint and attempts) and the access-log line,
then stops. Exit 0 for a 2xx/3xx answer, 1 otherwise.

options:
${SOURCE}
      --upstream <url>     send every endpoint's traffic to this URL instead (a mock, a local vLLM, a staging host)
      --listener <name>    the listener to send to (default: the first)
      --path <path>        default /v1/chat/completions
  -X, --method <method>    default POST (GET when --path is given without a body)
      --data <json|@file>  the request body; default: one chat turn in the OpenAI shape
  -m, --message <text>     the user message of the default body (default "Say hello.")
      --model <name>       the model of the default body (default gpt-4o-mini)
      --stream             ask for a streamed answer (the default body)
  -H, --header <h: v>      a request header (repeatable), e.g. -H "authorization: Bearer $DGP_API_KEY"
      --json               the report as JSON

examples:
  dgp request -m "What is 2+2?" -H "authorization: Bearer $DGP_API_KEY"
  dgp request --upstream http://127.0.0.1:8000 --model llama-3 --stream
  dgp request --path /v1/messages --data @claude.json -H "anthropic-version: 2023-06-01"`,
  routes: `usage: dgp routes [options]

Prints what a config does with a request, without starting anything: each listener's URL, its routes in match
order (how each matches, methods and header matchers, the cluster) with the filter chain a request on that route runs
(* marks a filter whose config the route overrides), then each cluster's LB policy and endpoints (target, provider,
whether a key is set — never the key —, retry policy, fallback, model_map). Exit 1 when the config is invalid.

options:
${SOURCE}
      --json               the same as JSON (GET /admin/v1/routes serves it from a running gateway)

example:
  dgp routes -c pixiu.yaml`,
  plugins: `usage: dgp plugins [options]

Lists every plugin kind found (built-in, plugins.dirs of the config, --plugin-dir): its type, version, source folder
and description. Exit 1 when a plugin folder could not be loaded (each problem listed).

options:
${SOURCE}
      --json               {"plugins", "problems"} on stdout`,
};

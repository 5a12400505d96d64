// Schema of static_resources.listeners[]: address, the single filter chain holding the HTTP connection manager,
// and the listener's HTTP server settings (Pixiu's HttpConfig).
import Type from 'typebox';
import { Duration, Int, OneOf, Port, Str, StrictObject } from './common.js';
import { HcmSchema, HCM_KIND } from './hcm.js';

const O = Type.Optional;

export const ListenerHttpConfigSchema = StrictObject(
  {
    idle_timeout: O(Duration({ description: 'How long an idle keep-alive connection stays open.', default: '5s' })),
    read_timeout: O(Duration({ description: 'Time allowed to receive a whole request (headers and body).', default: '60s', examples: ['50s'] })),
    write_timeout: O(Duration({
      description: 'Accepted for Pixiu configs; 0 = none. It does not cut streamed responses: long LLM streams are bounded by the proxy timeouts instead.',
      default: 0,
      examples: ['50s'],
      pixiu: 'Pixiu applies it to the whole response, so it must exceed the longest stream there.',
    })),
    headers_timeout: O(Duration({ description: 'Time allowed to receive the request headers.', default: '10s' })),
    max_header_bytes: O(Int({ description: 'Largest accepted request header block, in bytes.', default: 16384, minimum: 1024, examples: [32768] })),
    max_body_bytes: O(Int({ description: 'Largest accepted request body, in bytes; larger bodies get 413.', default: 20 * 1024 * 1024, minimum: 0, examples: [1048576] })),
    cert_file: O(Str({ description: 'PEM certificate file for protocol_type HTTPS, relative to the config directory.', default: '', examples: ['tls/cert.pem'] })),
    key_file: O(Str({ description: 'PEM private key file for protocol_type HTTPS, relative to the config directory.', default: '', examples: ['tls/key.pem'] })),
  },
  { description: "The listener's HTTP server settings.", pixiu: 'Same keys as Pixiu HttpConfig; headers_timeout and max_body_bytes are additions.' },
);

export const ListenerSchema = StrictObject(
  {
    name: O(Str({ description: 'Listener name, unique among listeners; used in logs and metrics. Empty: "listener-<n>" (n counts from 1).', default: '', examples: ['llm_proxy'] })),
    protocol_type: O(OneOf(['HTTP', 'HTTPS'], { description: 'HTTPS needs config.cert_file and config.key_file.', default: 'HTTP' })),
    address: O(StrictObject(
      {
        socket_address: O(StrictObject(
          {
            address: O(Str({ description: 'IP address to bind.', default: '0.0.0.0', examples: ['127.0.0.1'] })),
            port: O(Port({ description: 'TCP port to bind (0 = any free port).', default: 8881, examples: [8888] })),
          },
          { description: 'Where the listener binds.' },
        )),
      },
      { description: 'Bind address of the listener.' },
    )),
    filter_chains: StrictObject(
      {
        filters: Type.Array(
          StrictObject(
            {
              name: OneOf([HCM_KIND], { description: 'The network filter; only the HTTP connection manager is supported.' }),
              config: HcmSchema,
            },
            { description: 'One network filter.' },
          ),
          { description: `Network filters: exactly one ${HCM_KIND}.` },
        ),
      },
      { description: 'The filter chain (a single object, not a list).', pixiu: 'Pixiu also takes a single object here.' },
    ),
    config: O(ListenerHttpConfigSchema),
  },
  { description: 'One traffic listener.' },
);


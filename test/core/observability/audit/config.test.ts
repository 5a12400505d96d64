// Bad audit and tracing config is refused at load with the place and a fix, never at request time.
import t from 'tap';
import { startGateway } from '../../../helpers/gateway.js';

const BASE = `static_resources:
  adapters:
    - {id: mem, name: dgp.adapter.store.memory, config: {}}
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: []}
`;

const refusal = async (yaml: string): Promise<string> => {
  try {
    const g = await startGateway(yaml);
    await g.close();
    return 'started';
  } catch (err) {
    return (err as Error).message;
  }
};

t.test('an unknown sink type is a schema error at its place', async (t) => {
  t.match(await refusal(`${BASE}audit:\n  sinks: [ { type: kafka, topic: x } ]\n`), /audit\/sinks\/0/);
});

t.test('a redis_stream sink naming no store, or a store that cannot hold a stream, fails the load', async (t) => {
  t.match(await refusal(`${BASE}audit:\n  sinks: [ { type: redis_stream, store: nope } ]\n`), /DGP_ERR_STORE_UNKNOWN.*\/audit\/sinks\/0\/store|\/audit\/sinks\/0\/store[\s\S]*nope/);
  t.match(await refusal(`${BASE}audit:\n  sinks: [ { type: redis_stream, store: mem } ]\n`), /store "mem" \(dgp\.adapter\.store\.memory\) cannot hold a stream/);
});

t.test('a sampler ratio outside 0..1 and an unknown tracing field are refused', async (t) => {
  t.match(await refusal(`${BASE}tracing:\n  enabled: true\n  sampler: { ratio: 2 }\n`), /tracing\/sampler\/ratio/);
  t.match(await refusal(`${BASE}tracing:\n  enabeld: true\n`), /enabeld/);
});

// Config schema of the proxy's model routing (LiteLLM's model_list, APISIX's instance priorities): public model names,
// their aliases and `*` patterns, each mapped to deployments (cluster, endpoint, upstream model, weight, priority).
import Type, { type Static } from 'typebox';

const DeploymentSchema = Type.Object(
  {
    cluster: Type.Optional(Type.String({ minLength: 1, description: "Cluster serving this deployment. Default: the matched route's cluster." })),
    endpoint: Type.Optional(
      Type.String({ minLength: 1, description: "One endpoint of the cluster, by id. Default: every endpoint of the cluster, starting at the cluster's load-balancing pick." }),
    ),
    model: Type.Optional(Type.String({ minLength: 1, description: 'Model name sent upstream. Default: the model the client asked for.' })),
    weight: Type.Optional(Type.Integer({ minimum: 0, default: 1, description: 'Share of the picks among deployments of the same priority (0 = only when the others are out).' })),
    priority: Type.Optional(
      Type.Integer({
        default: 0,
        description: 'Higher first (APISIX): a lower priority is used only when every endpoint of the higher ones is unhealthy, cooling down or failed this request.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Where a model group can be served.' },
);

const ModelGroupSchema = Type.Object(
  {
    model_name: Type.String({
      minLength: 1,
      description: 'Public model name clients send; `*` matches any run of characters (e.g. "gpt-4o*", "*"). Exact names win over patterns; patterns are tried in list order.',
    }),
    aliases: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Other exact names for the same group (listed by GET /v1/models).' })),
    deployments: Type.Array(DeploymentSchema, { minItems: 1, description: 'Where the group is served.' }),
    strategy: Type.Optional(
      Type.Union([Type.Literal('weighted'), Type.Literal('least_request'), Type.Literal('latency'), Type.Literal('cost')], {
        default: 'weighted',
        description:
          'Order within one priority: weighted = random by weight (LiteLLM simple-shuffle); least_request = fewest requests in flight first; latency = lowest recent time to first byte (time to first token for streams) first; cost = cheapest first by the price book (a million input plus a million output tokens of the upstream model at the endpoint provider; unpriced last).',
      }),
    ),
  },
  { additionalProperties: false, description: 'One model group.' },
);

export const ModelRoutingFields = {
  model_list: Type.Optional(
    Type.Array(ModelGroupSchema, {
      default: [],
      description: 'Model routing: the request model (body `model`, or the Gemini path) picks a group and its deployments. Empty = route by the route cluster only.',
    }),
  ),
  unknown_model: Type.Optional(
    Type.Union([Type.Literal('route_cluster'), Type.Literal('reject')], {
      default: 'route_cluster',
      description: "A model no group matches: route_cluster = the route's cluster as without model_list; reject = 404 model_not_found in the client's error shape.",
    }),
  ),
  prices: Type.Optional(
    Type.String({
      minLength: 1,
      description: "Price override file (docs/pricing.md) for strategy: cost, relative to the config directory; the bundled price book is used without it.",
    }),
  ),
  route_header: Type.Optional(
    Type.Boolean({
      default: false,
      description: 'Add the routing trace x-dgp-route (route, model group, each candidate endpoint and why it was skipped, the pick) to responses. The access log always has it.',
    }),
  ),
};

export type ModelGroupConfig = Static<typeof ModelGroupSchema>;
export type DeploymentConfig = Static<typeof DeploymentSchema>;

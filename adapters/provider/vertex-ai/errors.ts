// dgp.adapter.provider.vertex-ai's error codes: no usable service account (the endpoint's configuration), and a token
// endpoint that gave no access token. Both are answered in the client's API shape and never carry the key.
import { defineErrorCode } from '../../../core/index.js';

const owner = 'dgp.adapter.provider.vertex-ai';

export const VertexCredentials = defineErrorCode('DGP_ERR_VERTEX_CREDENTIALS', 500, {
  owner,
  summary: 'The vertex-ai endpoint has no usable service account: none configured, the file cannot be read, or the JSON lacks client_email / private_key.',
  fix: 'Set service_account_json (e.g. ${GCP_SA_JSON}) or service_account_file in the plugin config or llm_meta.options, or GOOGLE_APPLICATION_CREDENTIALS, to a service-account key file of the project.',
});

export const VertexToken = defineErrorCode('DGP_ERR_VERTEX_TOKEN', 502, {
  owner,
  summary: "Google's token endpoint refused the service account's signed JWT (e.g. invalid_grant: the key was deleted or the clock is off) or could not be reached; no request went to Vertex AI.",
  fix: "Read the token endpoint's error in the message; check that the key is active (gcloud iam service-accounts keys list), the host clock, and that token_uri is reachable from the gateway.",
});

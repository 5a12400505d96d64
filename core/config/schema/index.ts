// The bootstrap schema, split by concern: listener, hcm (+ routes), cluster (+ endpoints), adapter, admission, bootstrap; plus
// the normalised types (BootstrapConfig & co.) that validation and normalisation produce from it.
import type { JsonSchema } from '../../plugin-api.js';
import { BootstrapSchema } from './bootstrap.js';

export { BootstrapSchema, IGNORED_TOP_LEVEL, LOG_LEVELS } from './bootstrap.js';
/** BootstrapSchema seen as the plain JSON Schema object it is (for checkAgainstSchema and schema walkers). */
export const bootstrapJsonSchema = BootstrapSchema as unknown as JsonSchema;
export { ListenerSchema, ListenerHttpConfigSchema } from './listener.js';
export { HcmSchema, RouteSchema, HCM_KIND, ERROR_FORMATS } from './hcm.js';
export { ClusterSchema, EndpointSchema, LlmMetaSchema, LB_POLICIES, RETRY_POLICIES, HASH_ON } from './cluster.js';
export { AdapterSchema } from './adapter.js';
export { AuditSchema, AuditSinkSchema, TracingSchema } from './telemetry.js';
export { AdmissionSchema, ClusterAdmissionSchema, PRIORITY_LIMIT } from './admission.js';
export type * from '../types.js';

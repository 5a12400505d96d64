// The process-wide upstream pools as a host-owned service: one UpstreamPools for every generation (pools of unchanged
// origins keep their warm connections across reloads), closed gracefully when the gateway closes.
import { defineService } from '../services/define.js';
import { UpstreamPools } from './pools.js';

export const upstreamPoolsService = defineService<UpstreamPools>({
  name: 'dgp.upstream.pools',
  create: () => new UpstreamPools(),
  close: (pools) => pools.close(),
  readiness: (pools) => ({ ready: true, origins: pools.size }),
});

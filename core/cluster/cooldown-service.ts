// The LLM endpoint cooldown store as a host-owned service: one store shared by every generation's cluster manager,
// so a failure seen on the old config still cools the endpoint under the new one.
import { defineService } from '../services/define.js';
import { CooldownStore } from './cooldown-store.js';

export const cooldownService = defineService<CooldownStore>({
  name: 'dgp.cluster.cooldowns',
  create: () => new CooldownStore(),
  close: (store) => store.clear(),
  readiness: (store) => ({ ready: true, entries: store.size }),
});

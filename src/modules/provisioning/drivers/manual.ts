import type { ProvisioningDriver } from './driver.ts';

/** The built-in driver: people deliver, and the provider's delivery receipt is the result. */
export const manualDriver: ProvisioningDriver = {
  name: 'manual',
  actions: ['open_test', 'open', 'scale_up', 'change', 'reclaim', 'allocate'],
  async submit() {
    return { status: 'pending' };
  },
};

import { FULFILMENT_ACTIONS } from '../provisioning.table.ts';
import type { ProvisioningDriver } from './driver.ts';

/** The built-in driver: people deliver, and the provider's delivery receipt is the result. */
export const manualDriver: ProvisioningDriver = {
  name: 'manual',
  // it takes any work order: people can do anything a driver could
  actions: FULFILMENT_ACTIONS,
  async submit() {
    return { status: 'pending' };
  },
};

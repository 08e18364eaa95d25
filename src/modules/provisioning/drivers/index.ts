import type { FulfilmentAction } from '../provisioning.table.ts';
import type { ProvisioningDriver } from './driver.ts';
import { manualDriver } from './manual.ts';

export type { DriverAck, DriverDelivery, DriverRequest, DriverScope, ProvisioningDriver } from './driver.ts';
export { manualDriver } from './manual.ts';

/** Registered drivers in registration order (a name registered again moves to the end). */
const DRIVERS = new Map<string, ProvisioningDriver>([[manualDriver.name, manualDriver]]);

/** The driver stored on a work order; `manual` when that name is not registered (any more) in this process. */
export function driverNamed(name: string): ProvisioningDriver {
  return DRIVERS.get(name) ?? manualDriver;
}

/**
 * Plugs in a driver (e.g. a cloud API's) under its name, replacing one registered under the same name; the
 * latest registration takes precedence in `selectDriver`. Every API instance must register the same drivers
 * at start-up (beside `registerFulfilment()`). Returns a function that takes this registration out again.
 */
export function registerDriver(driver: ProvisioningDriver): () => void {
  if (driver.name === manualDriver.name) throw new Error('the manual driver is built in and cannot be replaced');
  DRIVERS.delete(driver.name);
  DRIVERS.set(driver.name, driver);
  return () => {
    if (DRIVERS.get(driver.name) === driver) DRIVERS.delete(driver.name);
  };
}

/** What a work order offers for the choice of its driver. */
export interface DriverTarget {
  action: FulfilmentAction;
  providerCode: string;
  zone: string | null;
  itemCodes: readonly string[];
}

const serves = (d: ProvisioningDriver, t: DriverTarget): boolean => {
  const s = d.serves;
  if (!s || !d.actions.includes(t.action) || !s.providers.includes(t.providerCode)) return false;
  if (s.zones && (t.zone === null || !s.zones.includes(t.zone))) return false;
  if (s.items && !t.itemCodes.every((code) => s.items?.includes(code))) return false;
  return true;
};

/**
 * The driver of a new work order: the most recently registered driver that serves its provider, zone and
 * every line's catalogue item and carries out its action; `manual` when none does.
 */
export function selectDriver(target: DriverTarget): ProvisioningDriver {
  const registered = [...DRIVERS.values()].reverse();
  return registered.find((d) => d !== manualDriver && serves(d, target)) ?? manualDriver;
}

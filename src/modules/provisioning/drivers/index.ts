import type { ProvisioningDriver } from './driver.ts';
import { manualDriver } from './manual.ts';

export type { DriverAck, DriverRequest, ProvisioningDriver } from './driver.ts';

const DRIVERS = new Map<string, ProvisioningDriver>([[manualDriver.name, manualDriver]]);

/** The driver of a work order; `manual` unless another was registered under that name. */
export function driverNamed(name: string): ProvisioningDriver {
  return DRIVERS.get(name) ?? manualDriver;
}

/** Plugs in a driver (e.g. a cloud API's); its name is what work orders store. */
export function registerDriver(driver: ProvisioningDriver): void {
  DRIVERS.set(driver.name, driver);
}

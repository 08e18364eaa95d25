export { driverName, LIBVIRT_ITEMS, syncLibvirtDrivers, unregisterLibvirtDrivers } from './libvirt.connections.ts';
export { type FulfilRun, libvirtFulfilmentJob, runLibvirtFulfilment } from './libvirt.fulfil.ts';
export { libvirtReconcileJob, libvirtSampleJob, reconcileLibvirt, sampleLibvirt } from './libvirt.observe.ts';
export { libvirtRoutes } from './libvirt.routes.ts';
export { closeSessions } from './virsh.ts';

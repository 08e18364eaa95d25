import { openSecret } from '../../../../platform/crypto.ts';
import type { Db, Trx } from '../../../../schema.ts';
import type { ProvisioningDriver } from '../driver.ts';
import { registerDriver } from '../index.ts';
import type { ConnectionConfig } from './libvirt.ops.ts';
import * as repo from './libvirt.repository.ts';
import { type Credentials, sessionFor, type VirshSession } from './virsh.ts';

/** Catalogue items a libvirt zone creates: virtual machines (vcpu, memoryGb, systemDiskGb, dataDiskGb). */
export const LIBVIRT_ITEMS = ['cloud-vm'] as const;
export const LIBVIRT_ACTIONS = ['open_test', 'open', 'scale_up', 'change', 'reclaim'] as const;

/** The driver name of a provider's zone: `libvirt:<provider code>/<zone>` (stored on its work orders). */
export const driverName = (providerCode: string, zone: string) => `libvirt:${providerCode}/${zone}`;

/**
 * The driver of one provider zone. `submit` only answers `pending`: the work order itself is the intent (the
 * job `provisioning.libvirt` finds open work orders of these drivers, claims each once and carries it out
 * outside any transaction, then records the receipt through `deliver`).
 */
function zoneDriver(providerCode: string, zone: string): ProvisioningDriver {
  return {
    name: driverName(providerCode, zone),
    actions: LIBVIRT_ACTIONS,
    serves: { providers: [providerCode], zones: [zone], items: LIBVIRT_ITEMS },
    async submit() {
      return { status: 'pending' };
    },
  };
}

const registered = new Map<string, () => void>();

/**
 * Registers one driver per provider zone with an enabled libvirt connection, and takes out those no longer
 * configured. Every instance calls it at start-up and each run of the libvirt job (a zone configured on one
 * instance reaches the others within a run); the configuring request calls it after its commit.
 */
export async function syncLibvirtDrivers(db: Db): Promise<string[]> {
  const names = new Map<string, [string, string]>();
  for (const c of await repo.listConnections(db, { enabledOnly: true })) {
    names.set(driverName(c.provider_code, c.zone), [c.provider_code, c.zone]);
  }
  for (const [name, unregister] of registered) {
    if (!names.has(name)) {
      unregister();
      registered.delete(name);
    }
  }
  for (const [name, [code, zone]] of names) {
    if (!registered.has(name)) registered.set(name, registerDriver(zoneDriver(code, zone)));
  }
  return [...names.keys()];
}

/** Takes every libvirt driver registration of this process out (tests). */
export function unregisterLibvirtDrivers(): void {
  for (const unregister of registered.values()) unregister();
  registered.clear();
}

export const configOf = (c: repo.ConnectionWithProvider): ConnectionConfig => ({
  pool: c.pool,
  baseVolume: c.base_volume,
  network: c.network,
  domainType: c.domain_type,
  maxVcpu: c.max_vcpu,
  maxMemoryGb: c.max_memory_gb,
  vcpuOvercommit: c.vcpu_overcommit,
  boot: c.boot_kernel ? { kernel: c.boot_kernel, initrd: c.boot_initrd, cmdline: c.boot_cmdline } : null,
});

/** The virsh session of a connection, its credentials opened from their SM4 seal only here, in memory. */
export function virshOf(c: repo.ConnectionWithProvider): VirshSession {
  const credentials = c.sealed_credentials ? (JSON.parse(openSecret(c.sealed_credentials)) as Credentials) : null;
  return sessionFor(c.id, c.uri, credentials);
}

/** Sessions a work order's machines are created over side by side (each its own libvirt connection). */
export const CREATE_SESSIONS = 4;

/**
 * Up to `n` virsh sessions of a connection, the first being `virshOf`'s: libvirt serves each of its connections'
 * calls concurrently, so machines are created side by side, each over its own session. libvirt's built-in test
 * driver (`test:///`) keeps its state in the connection, so it gets its one session only.
 */
export function virshSessionsOf(c: repo.ConnectionWithProvider, n = CREATE_SESSIONS): VirshSession[] {
  const first = virshOf(c);
  if (c.uri.startsWith('test:')) return [first];
  const credentials = c.sealed_credentials ? (JSON.parse(openSecret(c.sealed_credentials)) as Credentials) : null;
  return [first, ...Array.from({ length: n - 1 }, (_, i) => sessionFor(`${c.id}#${i + 2}`, c.uri, credentials))];
}

/** The enabled connections of a provider's zone, in a stable order (the first is where new machines go). */
export async function zoneConnections(db: Db | Trx, providerId: string, zone: string | null) {
  return (await repo.listConnections(db, { enabledOnly: true })).filter(
    (c) => c.provider_id === providerId && c.zone === zone,
  );
}

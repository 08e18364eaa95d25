import { platformDefaults } from '../policy/index.ts';
import type { Metric } from './monitoring.table.ts';

/**
 * Which pushed series feed which metric. Pushed (remote-write, JSON) series must already be gauges in the
 * metric's unit; raw node_exporter counters (node_cpu_seconds_total ...) need a rate over two samples, which
 * a push receiver cannot compute reliably across batches, so they are counted as unsupported there: forward
 * them through Prometheus recording rules (docs/architecture.md, usage monitoring) or use pull mode, whose queries
 * compute the rates in Prometheus (PULL_QUERIES).
 */
export const PUSHED_SERIES: Readonly<Record<string, Metric>> = {
  yunguan_cpu_utilisation_percent: 'cpu',
  yunguan_memory_utilisation_percent: 'memory',
  yunguan_disk_io_bytes_per_second: 'disk_io',
  yunguan_network_receive_bytes_per_second: 'network_in',
  yunguan_network_transmit_bytes_per_second: 'network_out',
  up: 'heartbeat',
};

/** Pull mode: PromQL over node_exporter series, `L` being the mapping label. */
export function pullQueries(label: string): Record<Metric, string> {
  return {
    cpu: `100 * (1 - avg by (${label}) (rate(node_cpu_seconds_total{mode="idle"}[5m])))`,
    memory: `100 * (1 - sum by (${label}) (node_memory_MemAvailable_bytes) / sum by (${label}) (node_memory_MemTotal_bytes))`,
    disk_io: `sum by (${label}) (rate(node_disk_read_bytes_total[5m]) + rate(node_disk_written_bytes_total[5m]))`,
    network_in: `sum by (${label}) (rate(node_network_receive_bytes_total{device!="lo"}[5m]))`,
    network_out: `sum by (${label}) (rate(node_network_transmit_bytes_total{device!="lo"}[5m]))`,
    heartbeat: `max by (${label}) (up)`,
  };
}

/** Detection thresholds; each may come from the policy pack, the jurisdiction's override, or the default. */
export interface Thresholds {
  windowDays: number;
  lowAvgCpuPercent: number;
  lowP95CpuPercent: number;
  zombieWindowDays: number;
  zombieMaxCpuPercent: number;
  zombieNetworkBytesPerSecond: number;
  silentHours: number;
  minCoverage: number;
}

/** The platform's defaults as the packs carry them (`defaults.detection*`, packs/defaults.ts): one source. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  windowDays: platformDefaults.detectionWindowDays.value,
  lowAvgCpuPercent: platformDefaults.detectionLowAvgCpuPercent.value,
  lowP95CpuPercent: platformDefaults.detectionLowP95CpuPercent.value,
  zombieWindowDays: platformDefaults.detectionZombieWindowDays.value,
  zombieMaxCpuPercent: platformDefaults.detectionZombieMaxCpuPercent.value,
  zombieNetworkBytesPerSecond: platformDefaults.detectionZombieNetworkBytesPerSecond.value,
  silentHours: platformDefaults.detectionSilentHours.value,
  minCoverage: Number(platformDefaults.detectionMinCoverage.value),
};

export const RULE_VERSIONS = {
  low_utilisation: 'low_utilisation/1',
  zombie: 'zombie/1',
  silent_agent: 'silent_agent/1',
} as const;

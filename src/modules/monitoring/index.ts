export {
  type HeartbeatAvailabilityRow,
  heartbeatAvailability,
  type PlannedSpan,
} from './monitoring.availability.repository.ts';
export { configureSilenceExemption, detect, type SilenceExemption, thresholdsOf } from './monitoring.detect.ts';
export {
  type EfficiencyFacts,
  efficiencyFacts,
  type RectificationFacts,
  rectificationFacts,
} from './monitoring.facts.repository.ts';
export { configureFold, foldJob } from './monitoring.fold.ts';
// issue 18's operations reports: the most idle resources of a period, and the monthly right-sizing analysis
export { type IdleResource, idleResources } from './monitoring.idle.repository.ts';
export { type IngestSeries, readSetting, storeSamples } from './monitoring.ingest.ts';
export { MONITORING_JOBS } from './monitoring.jobs.ts';
export { monitoringRoutes } from './monitoring.routes.ts';
export { MONITORING_SCHEMAS } from './monitoring.schemas.ts';
export { seedDemoMonitoring } from './monitoring.seed.ts';
export {
  monthlyAnalysis,
  periodOf,
  type Suggestion,
  type UtilisationReport,
  type UtilisationRow,
  utilisationReport,
} from './monitoring.service.ts';

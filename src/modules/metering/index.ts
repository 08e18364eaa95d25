export { type BeforeCommit, type Progress, type SettleResult, settle } from './metering.engine.ts';
export { isMonth, yuan } from './metering.period.ts';
export { progressBar, SETTLE_PAUSE_VARIABLE, settlePause } from './metering.progress.ts';
export { meteringRoutes } from './metering.routes.ts';
export { METERING_SCHEMAS } from './metering.schemas.ts';
export { seedDemoSettlement } from './metering.seed.ts';
export {
  applyEvaluatedCoefficients,
  getStatement,
  listStatements,
  openRunMonths,
  providerBilledFen,
} from './metering.service.ts';

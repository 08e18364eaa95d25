// What other modules and app.ts may use of the efficiency evaluation (效能评估, issue 17).

export { evaluationRoutes } from './evaluation.routes.ts';
export { EVALUATION_SCHEMAS } from './evaluation.schemas.ts';
export { trendOf as publishedCardsOf } from './evaluation.service.ts';
export type { EvaluationTables } from './evaluation.table.ts';

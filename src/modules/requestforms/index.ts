export { requestFormRoutes } from './requestforms.routes.ts';
export { REQUEST_FORM_SCHEMAS } from './requestforms.schemas.ts';

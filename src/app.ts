import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import helmet from 'helmet';
import type { Config } from './config.ts';
import type { RouteDeps } from './deps.ts';
import { AuditEventSchema, auditRoutes } from './modules/audit/index.ts';
import { CALENDAR_SCHEMAS, calendarRoutes } from './modules/calendar/index.ts';
import { CatalogueItemSchema, CatalogueVersionSchema, catalogueRoutes } from './modules/catalogue/index.ts';
import { DATA_CENTRE_SCHEMAS, dataCentreRoutes, dataCentreSweepJob } from './modules/datacentres/index.ts';
import { EVALUATION_SCHEMAS, evaluationRoutes } from './modules/evaluation/index.ts';
import {
  FEDERATION_SCHEMAS,
  federationLinkRoutes,
  federationPruneJob,
  federationRoutes,
  federationSendJob,
  federationWatchJob,
} from './modules/federation/index.ts';
import {
  AdminApprovalSchema,
  ApiTokenSchema,
  approvalRoutes,
  authRoutes,
  identityAuthenticator,
  MeSchema,
  tokenRoutes,
  UserSchema,
  userRoutes,
} from './modules/identity/index.ts';
import { INVENTORY_SCHEMAS, inventoryRoutes } from './modules/inventory/index.ts';
import { ITPROJECT_SCHEMAS, itProjectRoutes } from './modules/itprojects/index.ts';
import { METERING_SCHEMAS, meteringRoutes } from './modules/metering/index.ts';
import {
  configureFold,
  configureSilenceExemption,
  foldJob,
  MONITORING_JOBS,
  MONITORING_SCHEMAS,
  monitoringRoutes,
} from './modules/monitoring/index.ts';
import {
  configureMail,
  NOTIFICATION_DELIVERY_JOB,
  NOTIFICATION_SCHEMAS,
  notificationRoutes,
  registerOutboxMetrics,
} from './modules/notifications/index.ts';
import {
  incidentSweepJob,
  OPERATIONS_SCHEMAS,
  operationsRoutes,
  reportScheduleJob,
  resourcesUnderAgreedMaintenance,
  serviceDeskSweepJob,
} from './modules/operations/index.ts';
import {
  deadlineSweepJob,
  ORDER_FACTS_SCHEMAS,
  ORDER_SCHEMAS,
  orderFactsRoutes,
  orderRoutes,
} from './modules/orders/index.ts';
import { POLICY_SCHEMAS, policyRoutes } from './modules/policy/index.ts';
import { PROJECT_SCHEMAS, projectRoutes } from './modules/projects/index.ts';
import {
  backupDeadlineJob,
  expiryJob,
  libvirtFulfilmentJob,
  libvirtReconcileJob,
  libvirtRoutes,
  libvirtSampleJob,
  PROVISIONING_SCHEMAS,
  provisioningDeadlineJob,
  provisioningRoutes,
  syncLibvirtDrivers,
} from './modules/provisioning/index.ts';
import { REQUEST_FORM_SCHEMAS, requestFormRoutes } from './modules/requestforms/index.ts';
import { SHARED_DATA_SCHEMAS, sharedDataRoutes, sharedDataSweepJob } from './modules/shareddata/index.ts';
import { SystemInfoSchema, systemRoutes } from './modules/system/index.ts';
import {
  ContactSchema,
  JurisdictionSchema,
  OrganisationSchema,
  organisationRoutes,
  tenancyRoutes,
} from './modules/tenancy/index.ts';
import { AUDIT_SEAL_JOB, setAuditKey } from './platform/audit/audit.ts';
import { AUDIT_CHECKPOINT_JOB, configureCheckpoints } from './platform/audit/checkpoint.ts';
import { registerAuth } from './platform/auth/auth.ts';
import { setDataKey } from './platform/crypto.ts';
import type { Database } from './platform/db/database.ts';
import { EgressPolicyCache } from './platform/http/egress.ts';
import { healthRoutes } from './platform/http/health.routes.ts';
import { registerInputGuard } from './platform/http/input-guard.ts';
import { registerLoadShedding } from './platform/http/load-shedding.ts';
import { registerMetrics } from './platform/http/metrics.ts';
import type { Permission } from './platform/http/permissions.ts';
import { ProblemSchema, registerProblemHandler, sendProblem } from './platform/http/problem.ts';
import { registerRateLimits } from './platform/http/rate-limit.ts';
import { buildSerializerFactory, lazySerializerFactory } from './platform/http/serializer.ts';
import type { Job } from './platform/jobs/jobs.ts';
import { type Clock, systemClock } from './platform/time/clock.ts';
import type { DB } from './schema.ts';
import { VERSION } from './version.ts';

export interface AppOptions {
  config: Config;
  database: Database<DB>;
  logger?: FastifyServerOptions['logger'];
  clock?: Clock;
  /** build every response serializer before listening (tests of the schemas); by default each is built at first use */
  eagerSerializers?: boolean;
}

/**
 * The background jobs of every module (deadline sweeps, expiry notices, deliveries, detection).
 * `yunguan serve` runs them (src/server.ts); tests call a job's `run` with the time they choose.
 */
export const JOBS: Job<DB>[] = [
  expiryJob,
  deadlineSweepJob,
  provisioningDeadlineJob,
  ...MONITORING_JOBS,
  foldJob,
  NOTIFICATION_DELIVERY_JOB,
  sharedDataSweepJob,
  dataCentreSweepJob,
  serviceDeskSweepJob,
  incidentSweepJob,
  AUDIT_CHECKPOINT_JOB,
  AUDIT_SEAL_JOB,
  backupDeadlineJob,
  federationSendJob,
  federationWatchJob,
  libvirtFulfilmentJob,
  libvirtReconcileJob,
  libvirtSampleJob,
  reportScheduleJob,
  federationPruneJob,
];

// Monitoring raises no silent-agent finding for resources under an agreed maintenance window (JQ 13).
configureSilenceExemption(resourcesUnderAgreedMaintenance);

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface DeclaredRoute {
  method: string;
  url: string;
  permission: Permission;
}
const routeCatalogues = new WeakMap<FastifyInstance, DeclaredRoute[]>();

/** Every route the app declared, with its permission (docs/permissions.md must list exactly these). */
export function declaredRoutes(app: FastifyInstance): DeclaredRoute[] {
  return [...(routeCatalogues.get(app) ?? [])];
}

/** Builds the HTTP application: platform plugins first, then each module's routes under /api/v1. */
export async function buildApp({
  config,
  database,
  logger = false,
  clock = systemClock,
  eagerSerializers = false,
}: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger,
    // A caller's own x-request-id is kept when it is sane, so one id follows a request across systems.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { allErrors: true } },
    schemaController: {
      compilersFactory: { buildSerializer: eagerSerializers ? buildSerializerFactory : lazySerializerFactory },
    },
    // X-Forwarded-For is believed only from the configured proxies (YUNGUAN_TRUSTED_PROXIES); otherwise the
    // source address is the peer's, whatever headers a client sends.
    trustProxy: config.trustedProxies.length > 0 ? [...config.trustedProxies] : false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  const routes: DeclaredRoute[] = [];
  routeCatalogues.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    const permission = route.config?.permission;
    if (permission === undefined) {
      if (route.url.startsWith('/api/v1'))
        throw new Error(`route ${methods.join(',')} ${route.url} declares no permission`);
      return; // plugin-owned files: Swagger UI's assets and the console's static files
    }
    for (const method of methods) routes.push({ method, url: route.url, permission });
  });
  registerProblemHandler(app, database.conditions);
  // Headers for every answer: the console's CSP (no inline scripts; Ant Design's CSS-in-JS needs inline
  // styles), never framed, no MIME sniffing, no referrer, HSTS in production (TLS ends at the balancer).
  // helmet's middleware built once: @fastify/helmet built it (parsing the CSP) on every request (decisions.md).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: config.env === 'production' ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, () => done()));
  const registry = registerMetrics(app, () => database.poolStats(), {
    token: config.metricsToken,
    required: config.env === 'production',
  });
  await registerLoadShedding(app, {
    maxEventLoopDelayMs: config.maxEventLoopDelayMs,
    maxPoolQueue: config.maxDatabaseQueue,
    poolStats: () => database.poolStats(),
    registry,
  });
  registerOutboxMetrics(registry, database.db, clock);

  setAuditKey(config.auditKey);
  configureCheckpoints(config);
  setDataKey(config.dataKey);
  configureMail(config.smtpUrl ? { smtpUrl: config.smtpUrl, from: config.mailFrom } : undefined);
  configureFold(config.monitoringFoldSeconds);
  await app.register(fastifyCookie);
  registerAuth(app, identityAuthenticator(database.db), database.db);
  await registerRateLimits(app, database.db, config.rateLimits, database.kind === 'pglite');
  registerInputGuard(app);

  for (const schema of [
    ProblemSchema,
    JurisdictionSchema,
    SystemInfoSchema,
    MeSchema,
    UserSchema,
    ApiTokenSchema,
    OrganisationSchema,
    ContactSchema,
    AuditEventSchema,
    CatalogueItemSchema,
    CatalogueVersionSchema,
    AdminApprovalSchema,
  ]) {
    app.addSchema(schema);
  }
  for (const schema of CALENDAR_SCHEMAS) app.addSchema(schema);
  for (const schema of REQUEST_FORM_SCHEMAS) app.addSchema(schema);
  for (const schema of INVENTORY_SCHEMAS) app.addSchema(schema);
  for (const schema of PROVISIONING_SCHEMAS) app.addSchema(schema);
  for (const schema of ORDER_SCHEMAS) app.addSchema(schema);
  for (const schema of ORDER_FACTS_SCHEMAS) app.addSchema(schema);
  for (const schema of MONITORING_SCHEMAS) app.addSchema(schema);
  for (const schema of PROJECT_SCHEMAS) app.addSchema(schema);
  for (const schema of POLICY_SCHEMAS) app.addSchema(schema);
  for (const schema of NOTIFICATION_SCHEMAS) app.addSchema(schema);
  for (const schema of METERING_SCHEMAS) app.addSchema(schema);
  for (const schema of SHARED_DATA_SCHEMAS) app.addSchema(schema);
  for (const schema of DATA_CENTRE_SCHEMAS) app.addSchema(schema);
  for (const schema of EVALUATION_SCHEMAS) app.addSchema(schema);
  for (const schema of OPERATIONS_SCHEMAS) app.addSchema(schema);
  for (const schema of ITPROJECT_SCHEMAS) app.addSchema(schema);
  for (const schema of FEDERATION_SCHEMAS) app.addSchema(schema);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Yunguan 云管 API',
        description: 'Government cloud management platform (政务云管理平台). Errors are RFC 9457 problem+json.',
        version: VERSION,
      },
      tags: [
        { name: 'platform', description: 'health and readiness' },
        { name: 'system', description: 'installation information' },
        { name: 'tenancy', description: 'jurisdictions and organisations' },
        { name: 'identity', description: 'sign-in, accounts, roles, API tokens, security policy' },
        { name: 'audit', description: 'the tamper-evident audit trail' },
        { name: 'catalogue', description: 'the versioned, priced service catalogue' },
        { name: 'calendar', description: 'working-day calendars and deadlines (public)' },
        {
          name: 'notifications',
          description: 'in-app inbox, e-mail and outgoing webhooks (signed, retried, SSRF-guarded)',
        },
        {
          name: 'inventory',
          description: 'the live resource inventory, providers’ inventory reports, reconciliation findings',
        },
        {
          name: 'provisioning',
          description: 'work orders of providers, delivery receipts (交付回执单), reclaim confirmations',
        },
        { name: 'request-forms', description: 'resource request forms (云资源使用需求表, LZ annex 3): import, export' },
        {
          name: 'orders',
          description: 'orders and the approval workflow: placing, acting on steps, inbox, quota usage, overdue',
        },
        {
          name: 'monitoring',
          description: 'usage monitoring: ingest, idle/zombie/silent detection, rectification (SH 25, TZ 12)',
        },
        { name: 'projects', description: 'information systems, projects (立项) and their quotas (SH 2, 7, 18)' },
        { name: 'settlement', description: 'metering, rating and monthly settlement (按实结算, 核定), statements' },
        {
          name: 'shared-data',
          description:
            'shared data (NB 13-15): catalogue, applications and grants, the data gateway, traces, error reports',
        },
        {
          name: 'data-centres',
          description:
            'legacy data centres (LZ 12-19): register, certification, retention and transition, migration, closure',
        },
        {
          name: 'policy',
          description: 'city policy packs and each jurisdiction’s effective rules (public); overrides',
        },
        {
          name: 'federation',
          description:
            'district installations reporting to the city (SH 8, 12, 13, 15; NB 10-11): links, signed batches',
        },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true }, config: { permission: 'public' } }, async () => app.swagger());

  await app.register(healthRoutes, { database });

  const deps: RouteDeps = {
    db: database.db,
    databaseKind: database.kind,
    config,
    clock,
    egressPolicies: new EgressPolicyCache(),
  };
  await app.register(
    async (api) => {
      await api.register(systemRoutes, deps);
      await api.register(tenancyRoutes, deps);
      await api.register(organisationRoutes, deps);
      await api.register(authRoutes, deps);
      await api.register(userRoutes, deps);
      await api.register(tokenRoutes, deps);
      await api.register(approvalRoutes, deps);
      await api.register(auditRoutes, deps);
      await api.register(catalogueRoutes, deps);
      await api.register(calendarRoutes, deps);
      await api.register(requestFormRoutes, deps);
      await api.register(inventoryRoutes, deps);
      await api.register(provisioningRoutes, deps);
      await api.register(notificationRoutes, deps);
      await api.register(orderRoutes, deps);
      await api.register(orderFactsRoutes, deps);
      await api.register(monitoringRoutes, deps);
      await api.register(projectRoutes, deps);
      await api.register(policyRoutes, deps);
      await api.register(meteringRoutes, deps);
      await api.register(sharedDataRoutes, deps);
      await api.register(dataCentreRoutes, deps);
      await api.register(evaluationRoutes, deps);
      await api.register(operationsRoutes, deps);
      await api.register(itProjectRoutes, deps);
      await api.register(federationRoutes, deps);
      await api.register(libvirtRoutes, deps);
      await api.register(federationLinkRoutes, deps);
    },
    { prefix: '/api/v1' },
  );

  // Every instance registers the libvirt zones' drivers at start-up (the libvirt job keeps them current).
  await syncLibvirtDrivers(database.db).catch((err: unknown) =>
    app.log.warn({ err }, 'libvirt drivers not registered'),
  );

  const consoleBuilt = existsSync(path.join(config.webDir, 'index.html'));
  if (consoleBuilt) {
    await app.register(fastifyStatic, {
      root: config.webDir,
      wildcard: false,
      setHeaders(reply, file) {
        const hashed = file.includes(`${path.sep}assets${path.sep}`);
        reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }

  app.setNotFoundHandler(async (request, reply) => {
    const isApi = request.url === '/api' || request.url.startsWith('/api/');
    // Any other GET is a console route: the single-page app decides, including its own 404 page.
    // A missing file (an old hashed asset after a redeploy) must be a 404, never the page itself.
    const isFile = /\.[A-Za-z0-9]{1,8}$/.test(request.url.split('?')[0] ?? '');
    if (!isApi && !isFile && consoleBuilt && (request.method === 'GET' || request.method === 'HEAD')) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    const detail = isApi
      ? `${request.method} ${request.url.split('?')[0]} is not an API route; see /api/docs`
      : consoleBuilt
        ? `${request.url.split('?')[0]} does not exist`
        : 'the console is not built: run `npm run build:web`';
    return sendProblem(request, reply, 'route_not_found', detail);
  });

  return app;
}

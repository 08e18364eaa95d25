import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../../../deps.ts';
import { writeAudit } from '../../../../platform/audit/audit.ts';
import { actorOf, authOf, withTenant } from '../../../../platform/auth/auth.ts';
import { problemResponses } from '../../../../platform/http/problem.ts';
import { capacityPlan, orderCapacity } from './libvirt.capacity.ts';
import { syncLibvirtDrivers } from './libvirt.connections.ts';
import * as svc from './libvirt.service.ts';
import { LIBVIRT_TASK_STATUSES } from './libvirt.table.ts';

const Connection = Type.Object({
  id: Type.String({ format: 'uuid' }),
  providerId: Type.String({ format: 'uuid' }),
  providerName: Type.String(),
  zone: Type.String(),
  name: Type.String(),
  uri: Type.String(),
  hasCredentials: Type.Boolean(),
  pool: Type.String(),
  baseVolume: Type.String(),
  network: Type.String(),
  domainType: Type.Union([Type.Literal('kvm'), Type.Literal('qemu')]),
  maxVcpu: Type.Integer(),
  maxMemoryGb: Type.Integer(),
  vcpuOvercommit: Type.Integer(),
  bootKernel: Type.Union([Type.String(), Type.Null()]),
  bootInitrd: Type.Union([Type.String(), Type.Null()]),
  bootCmdline: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  updatedBy: Type.String(),
  updatedAt: Type.String({ format: 'date-time' }),
  reconciledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  sampledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

const Task = Type.Object({
  workOrderId: Type.String({ format: 'uuid' }),
  status: Type.Union(LIBVIRT_TASK_STATUSES.map((s) => Type.Literal(s))),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastErrorAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  steps: Type.Array(Type.Object({ step: Type.String(), ok: Type.Boolean(), detail: Type.Optional(Type.String()) })),
  updatedAt: Type.String({ format: 'date-time' }),
});

const ConnectionBody = Type.Object(
  {
    providerId: Type.String({ format: 'uuid' }),
    zone: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.String({ minLength: 1, maxLength: 64 }),
    uri: Type.String({ minLength: 1, maxLength: 500 }),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    pool: Type.String({ minLength: 1, maxLength: 64 }),
    baseVolume: Type.String({ minLength: 1, maxLength: 64 }),
    network: Type.String({ minLength: 1, maxLength: 64 }),
    domainType: Type.Union([Type.Literal('kvm'), Type.Literal('qemu')]),
    maxVcpu: Type.Optional(Type.Integer({ minimum: 0, maximum: 1024 })),
    maxMemoryGb: Type.Optional(Type.Integer({ minimum: 0, maximum: 65536 })),
    vcpuOvercommit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 64, description: 'vCPUs a host CPU may carry (1: none)' }),
    ),
    bootKernel: Type.Optional(
      Type.Union([Type.String({ maxLength: 500 }), Type.Null()], {
        description: 'direct kernel boot: the kernel’s path on the host (appliances, test guests)',
      }),
    ),
    bootInitrd: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])),
    bootCmdline: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Need = Type.Object({ vcpu: Type.Number(), memoryGb: Type.Number() });
const CapacityCheck = Type.Object({
  orderId: Type.String({ format: 'uuid' }),
  checkedAt: Type.String({ format: 'date-time' }),
  fits: Type.Boolean({ description: 'every libvirt zone of the order has a host with room (true when none)' }),
  flagged: Type.Boolean({ description: 'a zone is short of room or could not be read: the reviewer is warned' }),
  zones: Type.Array(
    Type.Object({
      providerName: Type.String(),
      zone: Type.String(),
      need: Need,
      waiting: Need,
      hosts: Type.Array(
        Type.Object({
          name: Type.String(),
          freeVcpus: Type.Union([Type.Integer(), Type.Null()]),
          freeMemoryGb: Type.Union([Type.Integer(), Type.Null()]),
          error: Type.Union([Type.String(), Type.Null()]),
        }),
      ),
      verdict: Type.Union([Type.Literal('fits'), Type.Literal('short'), Type.Literal('unknown')]),
      message: Type.String({ description: 'the sentence shown to the reviewer (Chinese)' }),
    }),
  ),
});

/** The libvirt driver's routes (issue 23): zone configuration, capacity, the driver's tasks, suspend/resume. */
export const libvirtRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/libvirt/connections',
    {
      config: { permission: 'inventory:reconcile' },
      schema: {
        tags: ['provisioning'],
        summary: 'The libvirt connections of providers’ network zones (credentials are never shown)',
        response: { 200: Type.Object({ items: Type.Array(Connection) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return { items: await withTenant(db, auth, (trx) => svc.listConnections(trx, auth)) };
    },
  );

  app.put(
    '/libvirt/connections',
    {
      config: { permission: 'inventory:reconcile' },
      schema: {
        tags: ['provisioning'],
        summary:
          'The ops unit binds a provider’s network zone to a libvirt connection (added, or replaced by provider, zone and name); the credentials are sealed with SM4',
        body: ConnectionBody,
        response: { 200: Connection, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const result = await withTenant(db, auth, (trx) =>
        svc.putConnection(trx, auth, actorOf(request), request.body, clock.now()),
      );
      await syncLibvirtDrivers(db);
      return result;
    },
  );

  app.get(
    '/libvirt/connections/:id/capacity',
    {
      config: { permission: 'inventory:reconcile' },
      schema: {
        tags: ['provisioning'],
        summary:
          'The host’s CPUs and memory, what running domains take, what is free, and the pool’s free space (from libvirt, now)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.Object({
            cpus: Type.Integer(),
            vcpuCapacity: Type.Integer({ description: 'the host’s CPUs times the zone’s vCPU overcommit' }),
            memoryGb: Type.Integer(),
            usedVcpus: Type.Integer(),
            usedMemoryGb: Type.Integer(),
            freeVcpus: Type.Integer(),
            freeMemoryGb: Type.Integer(),
            poolFreeGb: Type.Integer(),
            domains: Type.Integer(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => svc.connectionCapacity(db, authOf(request), request.params.id),
  );

  app.get(
    '/libvirt/orders/:id/capacity',
    {
      config: { permission: 'inventory:reconcile' },
      schema: {
        tags: ['provisioning'],
        summary:
          'The capacity flag at review: whether the libvirt zones an order’s lines go to have a host with the free vCPUs and memory for them (libvirt, now, after the zones’ work orders not yet created)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: CapacityCheck, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const plan = await withTenant(db, auth, (trx) => capacityPlan(trx, auth, request.params.id, clock.now()));
      return orderCapacity(plan, clock.now());
    },
  );

  app.get(
    '/libvirt/tasks',
    {
      config: { permission: 'inventory:read' },
      schema: {
        tags: ['provisioning'],
        summary: 'What the libvirt driver did on work orders: status, attempts, the last error and its steps',
        querystring: Type.Object({
          workOrderId: Type.Optional(Type.String({ format: 'uuid' })),
          status: Type.Optional(Type.Union(LIBVIRT_TASK_STATUSES.map((s) => Type.Literal(s)))),
        }),
        response: { 200: Type.Object({ items: Type.Array(Task) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return { items: await withTenant(db, auth, (trx) => svc.listTasks(trx, request.query)) };
    },
  );

  app.post(
    '/libvirt/tasks/:workOrderId/retry',
    {
      config: { permission: 'inventory:reconcile' },
      schema: {
        tags: ['provisioning'],
        summary: 'The ops unit retries a work order the libvirt driver stopped retrying',
        params: Type.Object({ workOrderId: Type.String({ format: 'uuid' }) }),
        response: { 200: Task, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        svc.retryTask(trx, auth, actorOf(request), request.params.workOrderId, clock.now()),
      );
    },
  );

  for (const action of ['suspend', 'resume'] as const) {
    app.post(
      `/libvirt/resources/:id/${action}`,
      {
        config: { permission: 'work-order:fulfil' },
        schema: {
          tags: ['provisioning'],
          summary: `${action === 'suspend' ? 'Suspends' : 'Resumes'} the virtual machine of a resource on a libvirt zone (its provider)`,
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          response: { 204: Type.Null(), ...problemResponses },
        },
      },
      async (request, reply) => {
        const auth = authOf(request);
        const target = await withTenant(db, auth, (trx) => svc.libvirtTarget(trx, auth, request.params.id));
        await svc.pauseOrResume(target, action);
        await withTenant(db, auth, (trx) =>
          writeAudit(trx, actorOf(request), {
            action: `libvirt_domain.${action === 'suspend' ? 'suspended' : 'resumed'}`,
            objectType: 'resource',
            objectId: target.resource.id,
            detail: { name: target.resource.name, domain: target.uuid, connection: target.connection.name },
          }),
        );
        return reply.code(204).send(null);
      },
    );
  }
};

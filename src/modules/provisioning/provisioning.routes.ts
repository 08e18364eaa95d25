import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { writeAudit } from '../../platform/audit/audit.ts';
import { actorOf, authOf, withTenant } from '../../platform/auth/auth.ts';
import { notFound } from '../../platform/errors.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { attachment, XLSX_MEDIA_TYPE } from '../../platform/spreadsheet.ts';
import { consentWithoutBackup, proceedWithoutBackup } from './provisioning.backup.ts';
import { overdueBoard } from './provisioning.deadlines.ts';
import * as receipts from './provisioning.delivery-receipts.ts';
import { receiptHtml, receiptXlsx } from './provisioning.receipt.ts';
import * as reconcile from './provisioning.reconcile.ts';
import { ReceiptBody } from './provisioning.schemas.ts';
import * as provisioning from './provisioning.service.ts';
import { WORK_ORDER_STATUSES } from './provisioning.table.ts';
import * as workOrders from './provisioning.work-orders.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Detail = { 200: Type.Ref('WorkOrderDetail'), ...problemResponses };

export const provisioningRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/work-orders',
    {
      config: { permission: 'inventory:read' },
      schema: {
        tags: ['provisioning'],
        summary:
          'Work orders in the caller’s scope (a provider’s queue, a unit’s, the jurisdiction’s): those waiting on the provider first, then on the unit, then finished ones; earliest due first within each',
        querystring: Type.Object({
          status: Type.Optional(Type.Union(WORK_ORDER_STATUSES.map((s) => Type.Literal(s)))),
          orderId: Type.Optional(Type.String({ format: 'uuid' })),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('WorkOrder')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => workOrders.listWorkOrders(trx, auth, request.query, clock.now()));
    },
  );

  app.get(
    '/work-orders/:id',
    {
      config: { permission: 'inventory:read' },
      schema: {
        tags: ['provisioning'],
        summary: 'One work order with its lines and receipts',
        params: IdParams,
        response: Detail,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => workOrders.getWorkOrder(trx, auth, request.params.id, clock.now()));
    },
  );

  app.post(
    '/work-orders/:id/receipts',
    {
      config: { permission: 'work-order:fulfil' },
      schema: {
        tags: ['provisioning'],
        summary: 'The provider’s delivery receipt (交付回执单, JQ annex 3), or a corrected one after a dispute',
        description:
          'Per line: resource name, identifier, IP addresses, actual specification, delivery time, notes. A new-resource ' +
          'line needs as many receipt lines as its quantity. Reclaim: only after the unit confirmed its backup (SH 26), with dataErased (LZ 26).',
        params: IdParams,
        body: ReceiptBody,
        response: { 201: Type.Ref('WorkOrderDetail'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const result = await withTenant(db, auth, (trx) =>
        receipts.submitReceipt(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
      return reply.code(201).send(result);
    },
  );

  app.post(
    '/work-orders/:id/receipts/confirm',
    {
      config: { permission: 'order:act' },
      schema: {
        tags: ['provisioning'],
        summary: 'The unit confirms the receipt: resources become active and the order’s fulfilment step completes',
        params: IdParams,
        response: Detail,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        receipts.confirmReceipt(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );

  app.post(
    '/work-orders/:id/receipts/dispute',
    {
      config: { permission: 'order:act' },
      schema: {
        tags: ['provisioning'],
        summary: `The unit disputes lines of the receipt: back to the provider, who answers within the pack’s defaults.disputeWorkingDays working days`,
        params: IdParams,
        body: Type.Object(
          {
            lines: Type.Array(
              Type.Object({
                lineNo: Type.Integer({ minimum: 1 }),
                reason: Type.String({ minLength: 1, maxLength: 2000 }),
              }),
              { minItems: 1, maxItems: 10_000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: Detail,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        receipts.disputeReceipt(trx, auth, actorOf(request), request.params.id, request.body, clock.now()),
      );
    },
  );

  app.post(
    '/work-orders/:id/backup-confirmation',
    {
      config: { permission: 'order:act' },
      schema: {
        tags: ['provisioning'],
        summary: 'Reclaim: the unit confirms its systems are offline and its data backed up and migrated (SH 26)',
        params: IdParams,
        response: Detail,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        provisioning.confirmBackup(trx, auth, actorOf(request), request.params.id, clock.now()),
      );
    },
  );

  const Comment = Type.Object(
    { comment: Type.Optional(Type.String({ maxLength: 2000 })) },
    { additionalProperties: false },
  );
  app.post(
    '/work-orders/:id/backup-waiver/consent',
    {
      config: { permission: 'order:act' },
      schema: {
        tags: ['provisioning'],
        summary:
          'A reclaim the platform opened, past the unit’s backup deadline: the competent authority consents to proceeding without the unit’s backup confirmation',
        params: IdParams,
        body: Comment,
        response: Detail,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, async (trx) => {
        await consentWithoutBackup(trx, auth, actorOf(request), request.params.id, request.body, clock.now());
        return workOrders.getWorkOrder(trx, auth, request.params.id, clock.now());
      });
    },
  );

  app.post(
    '/work-orders/:id/backup-waiver',
    {
      config: { permission: 'order:act' },
      schema: {
        tags: ['provisioning'],
        summary:
          'The ops unit proceeds with the reclaim after the unit’s backup deadline, on the authority’s recorded consent: the provider may reclaim',
        params: IdParams,
        body: Comment,
        response: Detail,
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, async (trx) => {
        const now = clock.now();
        await proceedWithoutBackup(
          trx,
          auth,
          actorOf(request),
          request.params.id,
          request.body,
          now,
          provisioning.handToDriver,
        );
        return workOrders.getWorkOrder(trx, auth, request.params.id, now);
      });
    },
  );

  const ReceiptParams = Type.Object({ id: Type.String({ format: 'uuid' }), revision: Type.Integer({ minimum: 1 }) });
  const loadReceipt = async (request: { params: { id: string; revision: number } } & Parameters<typeof authOf>[0]) => {
    const auth = authOf(request);
    const w = await withTenant(db, auth, (trx) => workOrders.getWorkOrder(trx, auth, request.params.id, clock.now()));
    const receipt = w.receipts.find((r) => r.revision === request.params.revision);
    if (!receipt) throw notFound(`receipt revision ${request.params.revision} / 回执不存在`);
    return { auth, w, receipt };
  };

  app.get(
    '/work-orders/:id/receipts/:revision/export',
    {
      config: { permission: 'inventory:read' },
      schema: {
        tags: ['provisioning'],
        summary: 'A delivery receipt as .xlsx (formula-safe); audited',
        params: ReceiptParams,
        produces: [XLSX_MEDIA_TYPE],
        response: { 200: Type.String({ format: 'binary' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { auth, w, receipt } = await loadReceipt(request);
      const body = await receiptXlsx(w, receipt);
      await withTenant(db, auth, (trx) =>
        writeAudit(trx, actorOf(request), {
          action: 'delivery_receipt.exported',
          objectType: 'work_order',
          objectId: w.id,
          detail: { revision: receipt.revision, bytes: body.length },
        }),
      );
      return reply
        .type(XLSX_MEDIA_TYPE)
        .header(
          'content-disposition',
          attachment(
            `receipt-${w.id.slice(0, 8)}-r${receipt.revision}.xlsx`,
            `交付回执单-${w.details.orderNo ?? w.id.slice(0, 8)}.xlsx`,
          ),
        )
        .send(body);
    },
  );

  app.get(
    '/work-orders/:id/receipts/:revision/print',
    {
      config: { permission: 'inventory:read' },
      schema: {
        tags: ['provisioning'],
        summary: 'A delivery receipt as a printable HTML page',
        params: ReceiptParams,
        produces: ['text/html'],
        response: { 200: Type.String(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { w, receipt } = await loadReceipt(request);
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(receiptHtml(w, receipt));
    },
  );

  app.post(
    '/inventory/reports',
    {
      config: { permission: 'inventory:report' },
      schema: {
        tags: ['inventory'],
        summary:
          'A provider pushes its inventory (full snapshot or changes); reconciled into findings for the ops unit',
        description:
          'Findings: unknown_resource (no order explains it), missing_resource (delivered, no longer reported), ' +
          'size_mismatch (differs from the receipt). The same finding is never raised twice: pushing the same snapshot again raises none.',
        body: Type.Object(
          {
            mode: Type.Union([Type.Literal('full'), Type.Literal('changes')]),
            items: Type.Array(
              Type.Object(
                {
                  externalId: Type.String({ minLength: 1, maxLength: 200 }),
                  name: Type.Optional(Type.String({ maxLength: 200 })),
                  catalogueItemCode: Type.Optional(Type.String({ maxLength: 100 })),
                  specification: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
                  addresses: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 64 })),
                  removed: Type.Optional(Type.Boolean()),
                },
                { additionalProperties: false },
              ),
              { maxItems: 200_000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            snapshotId: Type.String(),
            items: Type.Integer(),
            findingsRaised: Type.Integer(),
            findings: Type.Array(Type.Object({ kind: Type.String(), externalId: Type.String() })),
          }),
          ...problemResponses,
        },
      },
      bodyLimit: 64 * 1024 * 1024,
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        reconcile.pushInventory(trx, auth, actorOf(request), request.body, clock.now()),
      );
    },
  );

  app.get(
    '/inventory/findings',
    {
      config: { permission: 'inventory:reconcile' },
      schema: {
        tags: ['inventory'],
        summary: 'Reconciliation findings in the caller’s jurisdiction, newest first',
        querystring: Type.Object({
          status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
          kind: Type.Optional(
            Type.Union([
              Type.Literal('unknown_resource'),
              Type.Literal('missing_resource'),
              Type.Literal('size_mismatch'),
            ]),
          ),
          limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('InventoryFinding')), total: Type.Integer() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => reconcile.listFindings(trx, auth, request.query, clock.now()));
    },
  );

  app.post(
    '/inventory/findings/:id/resolve',
    {
      config: { permission: 'inventory:reconcile' },
      schema: {
        tags: ['inventory'],
        summary: 'The ops unit resolves a finding, saying how',
        params: IdParams,
        body: Type.Object(
          { resolution: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Ref('InventoryFinding'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) =>
        reconcile.resolveFinding(trx, auth, actorOf(request), request.params.id, request.body.resolution, clock.now()),
      );
    },
  );

  app.get(
    '/provisioning/overdue',
    {
      config: { permission: 'order:oversee' },
      schema: {
        tags: ['provisioning'],
        summary:
          'Overdue receipt disputes (the provider’s) and reconciliation findings (the ops unit’s) in the caller’s jurisdictions, counted per provider',
        description:
          'What the deadline sweeper marked overdue and still waits: a dispute until the provider answers it with a ' +
          'corrected receipt, a finding until it is resolved. The order steps are in /orders/overdue.',
        response: { 200: Type.Ref('ProvisioningOverdue'), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      return withTenant(db, auth, (trx) => overdueBoard(trx, auth));
    },
  );
};

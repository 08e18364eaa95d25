import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RouteDeps } from '../../deps.ts';
import { actorOf, authOf } from '../../platform/auth/auth.ts';
import { problemResponses } from '../../platform/http/problem.ts';
import { approve, listApprovals, reject } from './approvals.service.ts';

export const AdminApprovalSchema = Type.Object(
  {
    approval: Type.Object({
      id: Type.String(),
      action: Type.String(),
      targetUserId: Type.String(),
      targetUsername: Type.String(),
      targetDisplayName: Type.String(),
      targetRole: Type.String(),
      requestedBy: Type.String(),
      requestedByDisplayName: Type.String(),
      requestedRole: Type.String(),
      approverRole: Type.String(),
      status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]),
      changes: Type.Object({
        roles: Type.Optional(Type.Array(Type.String())),
        displayName: Type.Optional(Type.String()),
        email: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        mobile: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        disabled: Type.Optional(Type.Boolean()),
      }),
      createdAt: Type.String({ format: 'date-time' }),
      decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      decidedByDisplayName: Type.Union([Type.String(), Type.Null()]),
    }),
  },
  { $id: 'AdminApproval', title: 'AdminApproval' },
);

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** The two-person rule on admin accounts (三员分立): requests wait here for the third admin. */
export const approvalRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { db, clock }) => {
  app.get(
    '/admin-approvals',
    {
      config: { permission: 'admin-approval:decide' },
      schema: {
        tags: ['identity'],
        summary: 'Actions on admin accounts waiting for (or decided by) the third admin',
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]),
          ),
        }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref('AdminApproval')) }), ...problemResponses },
      },
    },
    async (request) => ({ items: await listApprovals(db, authOf(request), request.query.status) }),
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `/admin-approvals/:id/${decision}`,
      {
        config: { permission: 'admin-approval:decide' },
        schema: {
          tags: ['identity'],
          summary:
            decision === 'approve'
              ? 'Approve an action on an admin account (the third admin only); it is carried out now'
              : 'Reject an action on an admin account (the third admin only)',
          params: IdParams,
          response: { 200: Type.Ref('AdminApproval'), ...problemResponses },
        },
      },
      async (request) =>
        db
          .transaction()
          .execute((trx) =>
            (decision === 'approve' ? approve : reject)(
              trx,
              authOf(request),
              actorOf(request),
              request.params.id,
              clock.now(),
            ),
          ),
    );
  }
};

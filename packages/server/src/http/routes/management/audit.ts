/** The audit trail, filtered (actor, object, action, type, decision, time) and paged newest first. */
import type { FastifyInstance } from 'fastify';
import type { AuditFilter, AuditReader } from '../../../auth/management/audit-reader.js';
import { operationRoute } from '../../operation-route.js';

export function auditRoutes(app: FastifyInstance, reader: AuditReader): void {
  operationRoute(app, 'listAudit', async (req) => {
    // As the contract validated it (limit coerced to an integer; a repeated parameter refused); the reader takes text.
    const q = req.query;
    const filter: AuditFilter = {
      tenant: q.tenant,
      actor: q.actor,
      object: q.object,
      action: q.action,
      type: q.type,
      decision: q.decision,
      since: q.since,
      until: q.until,
      limit: q.limit === undefined ? undefined : String(q.limit),
      before: q.before,
    };
    return reader.list(req.actor, filter);
  });
}

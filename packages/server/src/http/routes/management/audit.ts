/** The audit trail, filtered (actor, object, action, type, decision, time) and paged newest first. */
import type { FastifyInstance } from 'fastify';
import type { AuditFilter, AuditReader } from '../../../auth/management/audit-reader.js';

export function auditRoutes(app: FastifyInstance, reader: AuditReader): void {
  app.get('/audit', { schema: { operationId: 'listAudit' } }, async (req) => {
    // As the contract validated it (limit coerced to an integer; a repeated parameter refused).
    const query = req.query as Record<string, string | number | undefined>;
    const filter: Record<string, string | undefined> = {};
    for (const key of ['tenant', 'actor', 'object', 'action', 'type', 'decision', 'since', 'until', 'limit', 'before'] as const) {
      const v = query[key];
      filter[key] = v === undefined ? undefined : String(v);
    }
    return reader.list(req.actor, filter as AuditFilter);
  });
}

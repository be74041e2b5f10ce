/** The audit trail, filtered (actor, object, action, type, decision, time) and paged newest first. */
import type { FastifyInstance } from 'fastify';
import type { AuditFilter, AuditReader } from '../../../auth/management/audit-reader.js';
import { CatalogError } from '../../../errors/catalog-error.js';

export function auditRoutes(app: FastifyInstance, reader: AuditReader): void {
  app.get('/audit', { schema: { operationId: 'listAudit' } }, async (req) => {
    // As the contract validated it (limit coerced to an integer).
    const query = req.query as Record<string, string | number | string[] | undefined>;
    const filter: Record<string, string | undefined> = {};
    for (const key of ['tenant', 'actor', 'object', 'action', 'type', 'decision', 'since', 'until', 'limit', 'before'] as const) {
      const v = query[key];
      if (Array.isArray(v)) throw new CatalogError('ERR_VALIDATION', `query parameter ${key} is given more than once`);
      filter[key] = v === undefined ? undefined : String(v);
    }
    return reader.list(req.actor, filter as AuditFilter);
  });
}

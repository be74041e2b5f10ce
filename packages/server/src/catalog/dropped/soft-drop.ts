/**
 * Whether a drop is soft, and doing it: the one rule Iceberg table, view and Lance table drops share (issue 39). With
 * a retention (retention.ts) above 0 a drop moves the object to the dropped objects (ports/maintenance.ts), keeping its id, grants
 * and files, and a purge waits for the retention's end (dropped-service.ts sweeps) unless the caller holds
 * `table:purge-immediately` on the table (then the drop is what it was before soft deletion: the row goes, the files
 * go at once). That decision is audited either way.
 */
import type { SecurablePath } from '../ports/access.js';
import type { RequestScope, ServiceContext } from '../context.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import { type Change, changeEvent } from '../outbox/changes.js';
import { dropRetentionMs } from './retention.js';

export interface DropRequest {
  /** Whether the drop deletes the object's files (Iceberg purgeRequested, every Lance drop). */
  purge: boolean;
  /** The object's securable path (for `table:purge-immediately`). */
  path: SecurablePath;
  /** "warehouse/ns.name", for the audit trail. */
  object: string;
  notFound: () => Error;
  /** The drop as a change event (catalog/outbox/), recorded in the transaction that moves the object. */
  change: Change;
}

/**
 * Soft-drops the object and answers true, or answers false when the drop must remove it at once (retention 0, or a
 * purge by a caller holding `table:purge-immediately`): the caller then does what it did before soft deletion.
 */
export async function softDrop(ctx: ServiceContext, scope: RequestScope, record: CatalogObjectRecord, drop: DropRequest): Promise<boolean> {
  const retention = dropRetentionMs(scope.warehouse);
  if (retention === 0) return false;
  if (drop.purge && record.kind !== 'view') {
    const now = await ctx.access.allowed(scope, 'table:purge-immediately', drop.path);
    await ctx.access.record(scope.caller, 'access.checked', now ? 'allow' : 'deny', 'table:purge-immediately', drop.object, {
      purgeAfterMs: now ? 0 : retention,
    });
    if (now) return false;
  }
  const droppedAtMs = ctx.clock.now();
  const expiresAtMs = droppedAtMs + retention;
  const event = changeEvent(ctx, scope.warehouse.name, scope.caller, {
    ...drop.change,
    data: { ...drop.change.data, soft: true, 'dropped-object-id': record.id, 'recoverable-until-ms': expiresAtMs },
  });
  const moved = await ctx.store.dropped.softDrop(
    { object: record, droppedAtMs, expiresAtMs, purge: drop.purge && record.kind !== 'view', droppedBy: scope.caller.description },
    [event],
  );
  if (!moved) throw drop.notFound();
  return true;
}

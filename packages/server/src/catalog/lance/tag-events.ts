/**
 * A Lance tag write with its change event (issue 58), at least once: the tag lives in the dataset (written by the
 * Lance library), not in the catalog database, so the two cannot commit together. So the event is recorded first, as
 * an intent in the catalog database (ports/lance-tag-intents.ts: the event with its id, what the tag must look like
 * afterwards, and the write asked for with what the tag was before it), in a transaction of its own; then Lance
 * writes the ref; then one transaction appends the event (same id) to the outbox and removes the intent. A write
 * Lance refuses (a taken name, a missing tag or version, the
 * table gone) drops the intent: no event. A process that dies after the write, or a database failing there, leaves
 * the intent, which the recovery (tag-recovery.ts) publishes once the dataset shows the intended outcome.
 * Framework-free: no HTTP, no SQL.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { ServiceContext } from '../context.js';
import { changeEvent, type ChangeKind } from '../outbox/changes.js';
import type { Caller } from '../ports/index.js';
import type { LanceTagOperation } from '../ports/lance-tag-intents.js';

/** TEST-ONLY pause point after Lance wrote the ref and before the event is published (compose/derivation-hold.ts). */
export type TagEventHold = (point: 'written') => Promise<void>;

export interface TagWrite {
  warehouse: string;
  caller: Caller;
  table: { namespace: string[]; name: string };
  /** The table's catalog id and uuid. */
  tableId: string;
  uuid: string;
  tag: string;
  /** The version the tag names once written; undefined: the tag is deleted. */
  version: number | undefined;
  operation: LanceTagOperation;
  /** What the tag was just before the write (the version it named, undefined: none); undefined: not known. */
  before: { version: number | undefined } | undefined;
}

/** Runs `write` (the Lance library's) between the intent's recording and its event's publication (see above). */
export async function writeWithEvent(
  ctx: ServiceContext,
  w: TagWrite,
  kind: ChangeKind,
  data: Record<string, unknown>,
  write: () => Promise<unknown>,
  hold?: TagEventHold,
): Promise<void> {
  const event = changeEvent(ctx, w.warehouse, w.caller, { kind, namespace: w.table.namespace, name: w.table.name, uuid: w.uuid, data });
  const intents = ctx.store.lanceTagIntents;
  await intents.add({
    id: event.id,
    warehouse: w.warehouse,
    namespace: [...w.table.namespace],
    name: w.table.name,
    tableId: w.tableId,
    tag: w.tag,
    version: w.version,
    operation: w.operation,
    before: w.before,
    event,
    createdAtMs: ctx.clock.now(),
  });
  try {
    await write();
  } catch (e) {
    // Refused: nothing was written, so no event. Storage or the library failing (503, or no domain error at all)
    // may have written the ref or not: the intent stays, and the recovery reads the dataset to decide. The refusal
    // is the answer even when the database fails to drop the intent: the recovery then finds the tag not as intended,
    // or, where it shows the outcome anyway (a create of a tag naming that version already, a delete of a tag that
    // was not there), finds that the tag's state before, kept in the intent, is one Lance refuses the write in.
    if (e instanceof CatalogError && e.code !== 'ERR_UNAVAILABLE') await intents.drop(event.id).catch(() => false);
    throw e;
  }
  if (hold !== undefined) await hold('written');
  await intents.publish(event.id);
}

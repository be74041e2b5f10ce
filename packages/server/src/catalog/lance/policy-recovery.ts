/**
 * Recovery of policy-derived Lance datasets whose derivation did not finish its lifecycle (policy-lifecycle.ts): the
 * process died between writing the dataset and checking its table, or while deleting what it wrote. Each derivation
 * records an intent in the catalog database before it writes (ports/derivation-intents.ts) and removes it once its
 * table was checked (and, the table gone, its files deleted). The housekeeping sweep of every process
 * (compose/background.ts, each `sweepIntervalMs`) reads the intents older than INTENT_MIN_AGE_MS:
 *
 *  - **Its table gone** (dropped, purged, replaced by another table under its name or at its location: tableLives):
 *    the intent's dataset is deleted, and its side file when that names this very dataset. Nothing else: the dataset's
 *    name holds a fresh UUID, so no live table's files and no other derivation's lie under it. The intent is kept until
 *    it is older than INTENT_FORGET_AFTER_MS, each round deleting again what is there (nothing, mostly): a derivation
 *    still writing elsewhere cannot leave files behind a deletion that ran before its last write.
 *  - **Its table live**, the intent older than INTENT_FORGET_AFTER_MS: the derivation ended long ago. When its side
 *    file names its dataset, the dataset is the table's (its maintenance tells when it is superseded) and stays; when
 *    no side file names it (the process died before recording it, or lost the race), no reader is answered it and it
 *    is deleted. Then the intent is forgotten.
 *
 * Each deletion is reported as a purge's (`lance-table.derivation-recovered`, counted into /metrics as purge
 * deletions), with the objects the store says it deleted, never more.
 */
import { parseJson } from '../json.js';
import type { ServiceContext } from '../context.js';
import type { CatalogObjectRecord, ObjectStorage } from '../ports/index.js';
import type { DerivationIntent } from '../ports/derivation-intents.js';
import { LANCE_TABLE } from './table-id.js';
import { tableLives } from './policy-lifecycle.js';

/** An intent younger than this is left alone: its derivation may be starting its first write. */
export const INTENT_MIN_AGE_MS = 5_000;
/** An intent older than this is forgotten (its derivation ended: an hour is far beyond any derivation's length). */
export const INTENT_FORGET_AFTER_MS = 3_600_000;
const BATCH = 100;
const SIDE_MAX_BYTES = 64 * 1024;

export interface DerivationRecovery {
  /** Datasets deleted (each with at least one object deleted). */
  datasets: number;
  /** Objects the store deleted. */
  objects: number;
  /** Intents forgotten. */
  forgotten: number;
}

/**
 * One round of the sweep over the intents least recently tried (never tried first, then oldest). Each intent is recovered on its own: one whose storage fails (a
 * warehouse's bucket gone, its credentials revoked) is kept for a later round and the others are recovered all the
 * same; the round then fails naming how many failed and the first reason (the sweep logs it). Before, the first
 * failing intent ended the round, each round, so the intents after it were never recovered, in any warehouse.
 */
export async function recoverDerivations(ctx: ServiceContext): Promise<DerivationRecovery> {
  const result: DerivationRecovery = { datasets: 0, objects: 0, forgotten: 0 };
  const now = ctx.clock.now();
  const intents = await ctx.store.derivationIntents.pending(now - INTENT_MIN_AGE_MS, BATCH);
  const failures: unknown[] = [];
  for (const intent of intents) {
    const removed = await recoverOne(ctx, intent, now, result).catch((e: unknown) => void failures.push(e));
    // Kept (failed, or not due yet): to the back of the next rounds' pages, so a hundred intents that keep failing
    // cannot hold every page and starve the rest (before 2026-11-29 each round read the hundred oldest).
    if (removed !== true) await ctx.store.derivationIntents.attempted(intent.id, now).catch((e: unknown) => void failures.push(e));
  }
  if (failures.length > 0) {
    const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
    throw new Error(`${failures.length} of ${intents.length} derivation intents could not be recovered (kept for the next round): ${first}`, {
      cause: failures[0],
    });
  }
  return result;
}

/** Recovers one intent; true when it was forgotten (removed) by this call. */
async function recoverOne(ctx: ServiceContext, intent: DerivationIntent, now: number, result: DerivationRecovery): Promise<boolean> {
  const warehouse = await ctx.store.repository.getWarehouse(intent.warehouse);
  const old = intent.createdAtMs <= now - INTENT_FORGET_AFTER_MS;
  if (warehouse === undefined) {
    // The warehouse is gone with its storage profile: nothing to delete through.
    return old && forget(ctx, intent, result);
  }
  const lives = await tableLives(ctx, intent.warehouse, asRecord(intent));
  if (lives && !old) return false;
  const storage = await ctx.storageFor(warehouse);
  const named = await sideNames(storage, intent);
  if (!lives || !named) {
    // Side file first: once it is gone no reader is answered the dataset.
    let objects = 0;
    if (named) {
      const side = await storage.deleteMany([intent.side]);
      // Refused: the intent stays, for a later round to try again.
      if (side.failed.length > 0) return false;
      objects += side.deleted.length;
    }
    objects += await storage.deletePrefix(`${intent.dataset.replace(/\/+$/, '')}/`);
    if (objects > 0) {
      result.datasets += 1;
      result.objects += objects;
      ctx.outcomes.report({
        type: 'lance-table.derivation-recovered',
        warehouse: intent.warehouse,
        tableId: intent.tableId,
        dataset: intent.dataset,
        reason: lives ? 'unnamed' : 'table-gone',
        objects,
      });
    }
  }
  return old && forget(ctx, intent, result);
}

async function forget(ctx: ServiceContext, intent: DerivationIntent, result: DerivationRecovery): Promise<boolean> {
  if (!(await ctx.store.derivationIntents.remove(intent.id))) return false;
  result.forgotten += 1;
  return true;
}

/** Whether the intent's side file exists and names its dataset (an unreadable one counts as naming it: a live table's dataset is never deleted on a guess). */
async function sideNames(storage: ObjectStorage, intent: DerivationIntent): Promise<boolean> {
  if (!(await storage.exists(intent.side))) return false;
  try {
    const { dataset } = parseJson(new TextDecoder().decode(await storage.read(intent.side, SIDE_MAX_BYTES))) as { dataset?: unknown };
    const prefix = intent.side.slice(0, intent.side.lastIndexOf('/') + 1);
    return typeof dataset !== 'string' || `${prefix}${dataset}.lance` === intent.dataset;
  } catch {
    return true;
  }
}

/** The parts of the table's record tableLives compares (id, uuid, location). */
function asRecord(intent: DerivationIntent): CatalogObjectRecord {
  return { id: intent.tableId, uuid: intent.tableUuid, location: intent.tableLocation, kind: LANCE_TABLE } as CatalogObjectRecord;
}

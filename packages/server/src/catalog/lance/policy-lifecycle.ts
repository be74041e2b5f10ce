/**
 * The lifecycle of a policy-derived Lance dataset against its table's (catalog/lance/policy-reads.ts): a derivation
 * must never leave a dataset behind in a dropped (purged) table's location, nor answer a caller a dataset of a table
 * that is gone or is another table now (dropped and created again under its name, or at its location).
 *
 *  - **In this process**: every derivation registers itself by table (DerivationsInFlight). A drop with purge, once the
 *    table left the catalog, aborts the table's derivations (the deriver stops between two batches) and waits for them
 *    to end, at most SETTLE_MS, before the purge deletes the location (LanceTables.drop, purgeDropped).
 *  - **Anywhere** (this process, another worker or replica, the background preparation): a derivation writes its
 *    dataset and its side file, and only then asks the catalog whether its table is still the one it read (tableLives:
 *    the same catalog id, uuid and location, live, not dropped). When it is not, the derivation deletes what it wrote
 *    (its dataset, its side file) and fails with ERR_TABLE_NOT_FOUND; a derivation that fails for any other reason
 *    asks the same. Why that suffices across processes: a drop removes the record before it purges, so a derivation
 *    whose check still found the table had finished writing before the drop's purge listed the location, which then
 *    deletes it; one whose check found it gone deletes its own files. A process that dies between its
 *    writes and its check (or during its own deletion) leaves its files in the purged location: the intent it
 *    recorded before writing names them, and the housekeeping sweep deletes them (policy-recovery.ts).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { ServiceContext } from '../context.js';
import type { Caller, CatalogObjectRecord, ObjectStorage } from '../ports/index.js';
import { LANCE_TABLE } from './table-id.js';

/** How long a drop waits for this process's derivations of the table to stop, once aborted. */
export const SETTLE_MS = 10_000;

interface Flight {
  controller: AbortController;
  done: Promise<unknown>;
}

export class DerivationsInFlight {
  private readonly byTable = new Map<string, Set<Flight>>();
  /** How long settle() waits when no bound is given: SETTLE_MS unless set (a test sets 0, as if the derivation ran elsewhere). */
  settleMs: number | undefined;

  /** Registers a derivation of the table (by uuid) for as long as `work` runs; `work` gets the signal a drop aborts. */
  async run<T>(tableUuid: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const done = work(controller.signal);
    const flight: Flight = { controller, done };
    let flights = this.byTable.get(tableUuid);
    if (flights === undefined) this.byTable.set(tableUuid, (flights = new Set()));
    flights.add(flight);
    try {
      return await done;
    } finally {
      flights.delete(flight);
      if (flights.size === 0 && this.byTable.get(tableUuid) === flights) this.byTable.delete(tableUuid);
    }
  }

  /** How many derivations of the table run here (tests). */
  running(tableUuid: string): number {
    return this.byTable.get(tableUuid)?.size ?? 0;
  }

  /**
   * Aborts the table's derivations running here and waits for them to end (each deletes what it wrote once it finds
   * the table gone), at most `boundMs`; a derivation still running then deletes its files itself when it ends.
   */
  async settle(tableUuid: string, boundMs = this.settleMs ?? SETTLE_MS): Promise<void> {
    const flights = [...(this.byTable.get(tableUuid) ?? [])];
    if (flights.length === 0) return;
    for (const f of flights) f.controller.abort(new CatalogError('ERR_TABLE_NOT_FOUND', 'The table was dropped while its policy-derived dataset was written'));
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, boundMs);
      timer.unref?.();
    });
    try {
      await Promise.race([Promise.allSettled(flights.map((f) => f.done)), bound]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Whether the table is still live in the catalog as the record read: same id, uuid and location (a rename keeps them). */
export async function tableLives(ctx: ServiceContext, warehouse: string, record: CatalogObjectRecord): Promise<boolean> {
  const repository = ctx.store.repository;
  const found = (await repository.findByIds([record.id])).find((o) => o.id === record.id);
  if (found === undefined || found.kind !== LANCE_TABLE || found.name === undefined || found.warehouse !== warehouse) return false;
  const now = await repository.getObject(warehouse, found.namespace, found.name);
  return now !== undefined && now.id === record.id && now.uuid === record.uuid && now.location === record.location;
}

/** Deletes what one derivation wrote: its dataset's objects, and its side file when it wrote that. */
export async function discardDerived(storage: ObjectStorage, dataset: string, side: string | undefined): Promise<void> {
  // The side file first: once it is gone no reader is answered the dataset.
  if (side !== undefined) await storage.delete(side);
  await storage.deletePrefix(`${dataset.replace(/\/+$/, '')}/`);
}

export const tableGone = (object: string) =>
  new CatalogError(
    'ERR_TABLE_NOT_FOUND',
    `Table does not exist: ${object} (dropped, or replaced, while its policy-derived dataset was written; nothing of it is kept)`,
  );

/** The caller the catalog reads the table as while deriving: no role, so no policy applies; seen only on a private listener. */
export function derivationCaller(caller: Caller): Caller {
  return {
    tenant: caller.tenant,
    description: `lakegate:policy-derivation for ${caller.description}`,
    key: 'lakegate:policy-derivation',
    members: [],
    admin: true,
    unrestricted: true,
  };
}

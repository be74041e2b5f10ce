/**
 * The records of one in-memory dropped store (dropped objects, dropped namespaces), by id, each in one warehouse: the
 * reads both stores share, in the order the database adapters' queries give (listing by drop time, the sweep's due
 * records by expiry, ties by id; everything else by id). Records go in and come out as copies, so no caller ever holds
 * the shelf's own.
 */

/** The times every dropped record has. */
interface DroppedTimes {
  droppedAtMs: number;
  expiresAtMs: number;
}

/** A page of a warehouse's dropped records: after this (drop time, id), at most `limit`. */
export interface DroppedPage {
  after?: { droppedAtMs: number; id: string } | undefined;
  limit: number;
}

export class DroppedShelf<R extends DroppedTimes> {
  private readonly records = new Map<string, R>();

  /** @param placeOf a record's id and warehouse (its object's, or its namespace's) */
  constructor(private readonly placeOf: (record: R) => { id: string; warehouse: string }) {}

  put(record: R): void {
    this.records.set(this.placeOf(record).id, structuredClone(record));
  }

  get(warehouse: string, id: string): R | undefined {
    const r = this.own(warehouse, id);
    return r === undefined ? undefined : structuredClone(r);
  }

  /** Removes the record `id` of `warehouse`; false when there is none. */
  delete(warehouse: string, id: string): boolean {
    return this.own(warehouse, id) !== undefined && this.records.delete(id);
  }

  list(warehouse: string, page: DroppedPage): R[] {
    const after = page.after;
    return this.sorted((r) => r.droppedAtMs)
      .filter((r) => this.placeOf(r).warehouse === warehouse)
      .filter((r) => after === undefined || r.droppedAtMs > after.droppedAtMs || (r.droppedAtMs === after.droppedAtMs && this.placeOf(r).id > after.id))
      .slice(0, page.limit);
  }

  /** The records whose retention ended at `nowMs`, in every warehouse, soonest first. */
  due(nowMs: number, limit: number): R[] {
    return this.sorted((r) => r.expiresAtMs)
      .filter((r) => r.expiresAtMs <= nowMs)
      .slice(0, limit);
  }

  /** The records of `warehouse` that pass `test`, by id. */
  where(warehouse: string, test: (record: R) => boolean): R[] {
    return this.sorted(() => 0).filter((r) => this.placeOf(r).warehouse === warehouse && test(r));
  }

  private own(warehouse: string, id: string): R | undefined {
    const r = this.records.get(id);
    return r !== undefined && this.placeOf(r).warehouse === warehouse ? r : undefined;
  }

  private sorted(by: (r: R) => number): R[] {
    const id = (r: R) => this.placeOf(r).id;
    return [...this.records.values()].sort((a, b) => by(a) - by(b) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0)).map((r) => structuredClone(r));
  }
}

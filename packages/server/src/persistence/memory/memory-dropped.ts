/**
 * Dropped objects in memory: the reference the contract suite (test/persistence/dropped-contract.ts) holds the
 * database adapters to. The live objects it moves rows from and to are a map given to it (the suite's stand-in for
 * catalog_objects); JavaScript runs each method to its first await without interleaving, and these have none.
 */
import type { CatalogObjectRecord } from '../../catalog/ports/index.js';
import type { OutboxEventInput, OutboxWriter } from '../../catalog/ports/outbox.js';
import type { DroppedObjectRecord, DroppedObjectStore, RestoreOutcome } from '../../catalog/ports/maintenance.js';
import { DroppedShelf, type DroppedPage } from './dropped-shelf.js';

/** Live objects by warehouse, namespace and name (liveKey). */
export type LiveObjects = Map<string, CatalogObjectRecord>;
export const liveKey = (warehouse: string, namespace: readonly string[], name: string): string => JSON.stringify([warehouse, namespace, name]);

export class MemoryDroppedObjectStore implements DroppedObjectStore {
  private readonly dropped = new DroppedShelf<DroppedObjectRecord>((r) => r.object);

  /** @param outbox where the change events of a move go (the memory outbox), with the move */
  constructor(
    private readonly live: LiveObjects,
    private readonly outbox?: OutboxWriter,
  ) {}

  async softDrop(record: DroppedObjectRecord, events: readonly OutboxEventInput[] = []): Promise<boolean> {
    const o = record.object;
    const key = liveKey(o.warehouse, o.namespace, o.name);
    const current = this.live.get(key);
    if (current === undefined || current.id !== o.id || current.kind !== o.kind) return false;
    this.live.delete(key);
    this.dropped.put(record);
    if (events.length > 0) await this.outbox?.appendEvents(events);
    return true;
  }

  async list(warehouse: string, page: DroppedPage): Promise<DroppedObjectRecord[]> {
    return this.dropped.list(warehouse, page);
  }

  async get(warehouse: string, id: string): Promise<DroppedObjectRecord | undefined> {
    return this.dropped.get(warehouse, id);
  }

  async restore(
    warehouse: string,
    id: string,
    to: { namespace: string[]; name: string },
    nowMs: number,
    events: readonly OutboxEventInput[] = [],
  ): Promise<RestoreOutcome> {
    const r = this.dropped.get(warehouse, id);
    if (r === undefined) return 'missing';
    const key = liveKey(warehouse, to.namespace, to.name);
    if (this.live.has(key)) return 'exists';
    this.live.set(key, { ...r.object, namespace: [...to.namespace], name: to.name, updatedAtMs: nowMs });
    this.dropped.delete(warehouse, id);
    if (events.length > 0) await this.outbox?.appendEvents(events);
    return 'restored';
  }

  async due(nowMs: number, limit: number): Promise<DroppedObjectRecord[]> {
    return this.dropped.due(nowMs, limit);
  }

  async forget(warehouse: string, id: string): Promise<boolean> {
    return this.dropped.delete(warehouse, id);
  }

  /** The dropped objects a cascade took with the namespace `droppedWith` (for the dropped-namespace reference), by id. */
  droppedWith(warehouse: string, droppedWith: string): DroppedObjectRecord[] {
    return this.dropped.where(warehouse, (r) => r.droppedWith === droppedWith);
  }

  /** Removes these dropped objects (restored by the dropped-namespace reference, with their namespace). */
  take(warehouse: string, ids: readonly string[]): void {
    for (const id of ids) this.dropped.delete(warehouse, id);
  }
}

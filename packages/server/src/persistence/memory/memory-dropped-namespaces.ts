/**
 * Dropped namespaces in memory: the reference the contract suite (test/persistence/dropped-namespaces-contract.ts)
 * holds the database adapters to. The live namespaces and objects it moves rows from and to are maps given to it (the
 * suite's stand-ins for `namespaces` and `catalog_objects`), and the objects a cascade dropped live in the dropped
 * object store given to it. Each method runs to its end before its only await (the outbox), so nothing interleaves.
 */
import type { NamespaceRecord } from '../../catalog/ports/index.js';
import type { OutboxEventInput, OutboxWriter } from '../../catalog/ports/outbox.js';
import type { DroppedNamespaceGroup, DroppedNamespaceRecord, DroppedNamespaceStore, NamespaceRestoreOutcome } from '../../catalog/ports/maintenance.js';
import { type LiveObjects, liveKey, type MemoryDroppedObjectStore } from './memory-dropped.js';
import { DroppedShelf, type DroppedPage } from './dropped-shelf.js';

/** Live namespaces by warehouse and levels (namespaceKey). */
export type LiveNamespaces = Map<string, NamespaceRecord>;
export const namespaceKey = (warehouse: string, levels: readonly string[]): string => JSON.stringify([warehouse, levels]);

const isAtOrUnder = (levels: readonly string[], top: readonly string[]): boolean => levels.length >= top.length && top.every((l, i) => levels[i] === l);

export class MemoryDroppedNamespaceStore implements DroppedNamespaceStore {
  private readonly dropped = new DroppedShelf<DroppedNamespaceRecord>((r) => r.namespace);

  constructor(
    private readonly namespaces: LiveNamespaces,
    private readonly live: LiveObjects,
    private readonly objects: MemoryDroppedObjectStore,
    private readonly outbox?: OutboxWriter,
  ) {}

  /** What CatalogRepository.softDropNamespace does in a database transaction. */
  softDrop(record: DroppedNamespaceRecord): boolean {
    const ns = record.namespace;
    const key = namespaceKey(ns.warehouse, ns.levels);
    const current = this.namespaces.get(key);
    if (current === undefined || current.id !== ns.id) return false;
    this.namespaces.delete(key);
    this.dropped.put({ ...record, namespace: current });
    return true;
  }

  async list(warehouse: string, page: DroppedPage): Promise<DroppedNamespaceRecord[]> {
    return this.dropped.list(warehouse, page);
  }

  async get(warehouse: string, id: string): Promise<DroppedNamespaceRecord | undefined> {
    return this.dropped.get(warehouse, id);
  }

  async group(warehouse: string, id: string): Promise<DroppedNamespaceGroup | undefined> {
    const top = this.dropped.get(warehouse, id);
    if (top === undefined) return undefined;
    const levels = top.namespace.levels;
    // Top-most first; the shelf's order (by id) stays within a depth (a stable sort).
    const namespaces = this.dropped
      .where(warehouse, (n) => n.droppedWith === top.droppedWith && isAtOrUnder(n.namespace.levels, levels))
      .sort((a, b) => a.namespace.levels.length - b.namespace.levels.length);
    const objects = this.objects.droppedWith(warehouse, top.droppedWith).filter((o) => isAtOrUnder(o.object.namespace, levels));
    return { namespaces, objects };
  }

  async restore(
    warehouse: string,
    id: string,
    to: string[],
    nowMs: number,
    events?: (restored: DroppedNamespaceGroup) => readonly OutboxEventInput[],
  ): Promise<NamespaceRestoreOutcome> {
    const group = await this.group(warehouse, id);
    if (group === undefined) return { outcome: 'missing' };
    if (to.length > 1 && !this.namespaces.has(namespaceKey(warehouse, to.slice(0, -1)))) return { outcome: 'no-parent' };
    const from = group.namespaces[0]!.namespace.levels;
    const renamed = (levels: readonly string[]) => [...to, ...levels.slice(from.length)];
    // Every name is checked before anything moves: all or nothing, as in the database's transaction.
    if (group.namespaces.some((n) => this.namespaces.has(namespaceKey(warehouse, renamed(n.namespace.levels))))) return { outcome: 'exists' };
    if (group.objects.some((o) => this.live.has(liveKey(warehouse, renamed(o.object.namespace), o.object.name)))) return { outcome: 'exists' };
    for (const n of group.namespaces) {
      this.namespaces.set(namespaceKey(warehouse, renamed(n.namespace.levels)), { ...structuredClone(n.namespace), levels: renamed(n.namespace.levels) });
      this.dropped.delete(warehouse, n.namespace.id);
    }
    for (const o of group.objects) {
      this.live.set(liveKey(warehouse, renamed(o.object.namespace), o.object.name), {
        ...structuredClone(o.object),
        namespace: renamed(o.object.namespace),
        updatedAtMs: nowMs,
      });
    }
    this.objects.take(
      warehouse,
      group.objects.map((o) => o.object.id),
    );
    const inputs = events?.(group) ?? [];
    if (inputs.length > 0) await this.outbox?.appendEvents(inputs);
    return { outcome: 'restored', restored: group };
  }

  async due(nowMs: number, limit: number): Promise<DroppedNamespaceRecord[]> {
    return this.dropped.due(nowMs, limit);
  }

  async forget(warehouse: string, id: string): Promise<boolean> {
    return this.dropped.delete(warehouse, id);
  }
}

/**
 * Where functions (SQL UDFs, apache/iceberg#15180) are kept: one record per (warehouse, namespace, name) holding the
 * function's metadata as the JSON text loadFunction answers (so a load splices it without re-encoding). Not catalog
 * objects: a function has no storage location and no commits; it is put whole and dropped whole by administrators
 * (catalog/management/function-admin.ts) and read by catalog/functions/.
 */
import type { OutboxEventInput, OutboxWriter } from './outbox.js';

export interface FunctionRecord {
  warehouse: string;
  namespace: string[];
  name: string;
  /** The metadata's function-uuid. */
  uuid: string;
  /** The FunctionMetadata, as JSON text. */
  metadataJson: string;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface FunctionStore {
  get(warehouse: string, namespace: string[], name: string): Promise<FunctionRecord | undefined>;
  /** Names of the namespace's functions after `after` (exclusive), in code-unit order, at most `limit`. */
  list(warehouse: string, namespace: string[], after: string | undefined, limit: number): Promise<string[]>;
  /** Creates or replaces (a replace keeps createdAtMs); `events` commit with the change. */
  put(record: FunctionRecord, events?: readonly OutboxEventInput[]): Promise<'created' | 'replaced'>;
  /** False when there was no such function. */
  delete(warehouse: string, namespace: string[], name: string, events?: readonly OutboxEventInput[]): Promise<boolean>;
}

const keyOf = (warehouse: string, namespace: string[], name: string) => JSON.stringify([warehouse, namespace, name]);

/** The in-memory FunctionStore. */
export class MemoryFunctions implements FunctionStore {
  private readonly records = new Map<string, FunctionRecord>();

  /** @param outbox where the changes' events go (the memory outbox the tests read). */
  constructor(private readonly outbox?: OutboxWriter) {}

  async get(warehouse: string, namespace: string[], name: string): Promise<FunctionRecord | undefined> {
    const r = this.records.get(keyOf(warehouse, namespace, name));
    return r && { ...r, namespace: [...r.namespace] };
  }

  async list(warehouse: string, namespace: string[], after: string | undefined, limit: number): Promise<string[]> {
    const ns = JSON.stringify(namespace);
    const names = [...this.records.values()]
      .filter((r) => r.warehouse === warehouse && JSON.stringify(r.namespace) === ns && (after === undefined || r.name > after))
      .map((r) => r.name);
    return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, limit);
  }

  async put(record: FunctionRecord, events: readonly OutboxEventInput[] = []): Promise<'created' | 'replaced'> {
    const key = keyOf(record.warehouse, record.namespace, record.name);
    const existing = this.records.get(key);
    this.records.set(key, { ...record, namespace: [...record.namespace], createdAtMs: existing?.createdAtMs ?? record.createdAtMs });
    if (events.length > 0) await this.outbox?.appendEvents(events);
    return existing ? 'replaced' : 'created';
  }

  async delete(warehouse: string, namespace: string[], name: string, events: readonly OutboxEventInput[] = []): Promise<boolean> {
    const found = this.records.delete(keyOf(warehouse, namespace, name));
    if (found && events.length > 0) await this.outbox?.appendEvents(events);
    return found;
  }
}

/** The Lance version store in memory: the reference the contract suite (test/persistence/lance-version-contract.ts) holds the database adapters to. */
import type { AppendRefusal, LanceVersionRecord, LanceVersionStore } from '../../catalog/ports/lance-versions.js';

const chainKey = (tableId: string, branch: string) => `${tableId}\u0000${branch}`;

export class MemoryLanceVersionStore implements LanceVersionStore {
  private readonly heads = new Map<string, number>();
  private readonly versions = new Map<string, Map<number, LanceVersionRecord>>();
  /** One append at a time per chain, as a database transaction on its head row would be. */
  private readonly queues = new Map<string, Promise<unknown>>();

  append(record: LanceVersionRecord, write: () => Promise<void>): Promise<AppendRefusal | undefined> {
    const key = chainKey(record.tableId, record.branch);
    const run = async (): Promise<AppendRefusal | undefined> => {
      const head = this.heads.get(key);
      if (head !== undefined && record.version <= head) return { kind: 'taken' };
      if (head !== undefined && record.version > head + 1) return { kind: 'skips', latest: head };
      await write();
      this.heads.set(key, record.version);
      const chain = this.versions.get(key) ?? new Map<number, LanceVersionRecord>();
      chain.set(record.version, { ...record, metadata: { ...record.metadata } });
      this.versions.set(key, chain);
      return undefined;
    };
    const next = (this.queues.get(key) ?? Promise.resolve()).then(run, run);
    this.queues.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  appendMany(records: readonly LanceVersionRecord[], write: () => Promise<void>): Promise<{ index: number; refusal: AppendRefusal } | undefined> {
    const keys = records.map((r) => chainKey(r.tableId, r.branch));
    const run = async (): Promise<{ index: number; refusal: AppendRefusal } | undefined> => {
      for (const [index, record] of records.entries()) {
        const head = this.heads.get(keys[index]!);
        if (head !== undefined && record.version <= head) return { index, refusal: { kind: 'taken' } };
        if (head !== undefined && record.version > head + 1) return { index, refusal: { kind: 'skips', latest: head } };
      }
      await write();
      for (const [index, record] of records.entries()) {
        this.heads.set(keys[index]!, record.version);
        const chain = this.versions.get(keys[index]!) ?? new Map<number, LanceVersionRecord>();
        chain.set(record.version, { ...record, metadata: { ...record.metadata } });
        this.versions.set(keys[index]!, chain);
      }
      return undefined;
    };
    // After every append in flight on any of its chains, and before any that comes later on one of them.
    const next = Promise.all(keys.map((k) => this.queues.get(k) ?? Promise.resolve())).then(run, run);
    for (const key of keys)
      this.queues.set(
        key,
        next.catch(() => undefined),
      );
    return next;
  }

  async get(tableId: string, branch: string, version: number): Promise<LanceVersionRecord | undefined> {
    return this.versions.get(chainKey(tableId, branch))?.get(version);
  }

  async list(tableId: string, branch: string, options: { descending: boolean; after?: number | undefined; limit: number }): Promise<LanceVersionRecord[]> {
    const all = [...(this.versions.get(chainKey(tableId, branch))?.values() ?? [])].sort((a, b) =>
      options.descending ? b.version - a.version : a.version - b.version,
    );
    const after = options.after;
    const from = after === undefined ? all : all.filter((r) => (options.descending ? r.version < after : r.version > after));
    return from.slice(0, options.limit);
  }

  async head(tableId: string, branch: string): Promise<number | undefined> {
    return this.heads.get(chainKey(tableId, branch));
  }

  async deleteRanges(tableId: string, branch: string, ranges: { start: number; end: number | undefined }[]): Promise<number> {
    const chain = this.versions.get(chainKey(tableId, branch));
    if (!chain) return 0;
    let deleted = 0;
    for (const version of [...chain.keys()]) {
      if (ranges.some((r) => version >= r.start && (r.end === undefined || version < r.end))) {
        chain.delete(version);
        deleted++;
      }
    }
    return deleted;
  }

  async branches(tableId: string): Promise<{ branch: string; head: number }[]> {
    const prefix = `${tableId}\u0000`;
    return [...this.heads]
      .filter(([key]) => key.startsWith(prefix) && key.length > prefix.length)
      .map(([key, head]) => ({ branch: key.slice(prefix.length), head }))
      .sort((a, b) => (a.branch < b.branch ? -1 : a.branch > b.branch ? 1 : 0));
  }

  async deleteBranch(tableId: string, branch: string): Promise<boolean> {
    const key = chainKey(tableId, branch);
    this.versions.delete(key);
    return this.heads.delete(key);
  }

  async deleteTable(tableId: string): Promise<void> {
    for (const map of [this.heads, this.versions] as Map<string, unknown>[]) {
      for (const key of [...map.keys()]) if (key.startsWith(`${tableId}\u0000`)) map.delete(key);
    }
  }
}

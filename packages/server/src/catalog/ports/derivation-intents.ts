/**
 * Derivation intents (issue 53, Lance): a policy-derived Lance dataset (catalog/lance/policy-reads.ts) is written into
 * its table's location, and only then is the table asked whether it still lives (catalog/lance/policy-lifecycle.ts).
 * A process that dies in between leaves files nothing names when the table was dropped with purge meanwhile (the purge
 * listed the location before they were written). So a derivation records its intent here, in the catalog database,
 * before it writes anything, and removes it once its table was found live (the table's own cleanup then owns the
 * dataset) or once it deleted what it wrote. An intent left behind (its process died) is found by the housekeeping
 * sweep once older than its bound: when its table is gone, the dataset it names is deleted (policy-lifecycle.ts,
 * recoverDerivations). The intent names one dataset (its name holds a fresh UUID), never the table's own files.
 */
export interface DerivationIntent {
  /** A UUID. */
  id: string;
  warehouse: string;
  /** The table's catalog id, uuid and location when the derivation started: what "still lives" is checked against. */
  tableId: string;
  tableUuid: string;
  tableLocation: string;
  /** The dataset's location (`<prefix><stem>-<uuid>.lance`) and its side file's. */
  dataset: string;
  side: string;
  /** When the intent was recorded (the sweep's age bound is measured from it). */
  createdAtMs: number;
  /** When the sweep last tried it and kept it (undefined: never): the sweep takes the least recently tried first. */
  attemptedAtMs?: number;
}

export interface DerivationIntentStore {
  add(intent: DerivationIntent): Promise<void>;
  /** Removes the intent; false when it was gone already. */
  remove(id: string): Promise<boolean>;
  /**
   * Intents recorded before `beforeMs`, at most `limit`: those never tried first, then by their last attempt (least
   * recent first), ties oldest first (then by id). So intents that keep failing rotate behind the others instead of
   * filling every round's page (before 2026-11-29 the page was the oldest, whatever had been tried).
   */
  pending(beforeMs: number, limit: number): Promise<DerivationIntent[]>;
  /** Records that the sweep tried the intent at `atMs` and kept it (no-op when it is gone). */
  attempted(id: string, atMs: number): Promise<void>;
}

/** Derivation intents in memory (unit tests; one process only). */
export class MemoryDerivationIntents implements DerivationIntentStore {
  private readonly rows = new Map<string, DerivationIntent>();

  async add(intent: DerivationIntent): Promise<void> {
    this.rows.set(intent.id, { ...intent });
  }

  async remove(id: string): Promise<boolean> {
    return this.rows.delete(id);
  }

  async attempted(id: string, atMs: number): Promise<void> {
    const row = this.rows.get(id);
    if (row !== undefined) row.attemptedAtMs = atMs;
  }

  async pending(beforeMs: number, limit: number): Promise<DerivationIntent[]> {
    return [...this.rows.values()]
      .filter((r) => r.createdAtMs < beforeMs)
      .sort((a, b) => (a.attemptedAtMs ?? 0) - (b.attemptedAtMs ?? 0) || a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }
}

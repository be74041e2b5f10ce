/** Maintenance leases in memory: the reference the contract suite (test/persistence/dropped-contract.ts) holds the database adapters to. */
import type { MaintenanceJobRecord, MaintenanceLeases, MaintenanceProgress } from '../../catalog/ports/maintenance.js';

export class MemoryMaintenanceLeases implements MaintenanceLeases {
  private readonly rows = new Map<string, MaintenanceJobRecord>();

  async take(
    tableId: string,
    warehouse: string,
    holder: string,
    nowMs: number,
    leaseMs: number,
    dueBeforeMs: number,
    options: { overFailed?: boolean } = {},
  ): Promise<boolean> {
    const row = this.rows.get(tableId);
    const free = !row || row.expiresAtMs <= nowMs || (options.overFailed === true && row.state === 'failed');
    if (!free || (row && row.lastRunMs >= dueBeforeMs)) return false;
    this.rows.set(tableId, {
      tableId,
      warehouse,
      holder,
      state: 'running',
      startedAtMs: nowMs,
      expiresAtMs: nowMs + leaseMs,
      lastRunMs: row?.lastRunMs ?? 0,
      progress: undefined,
    });
    return true;
  }

  async renew(tableId: string, holder: string, nowMs: number, leaseMs: number): Promise<boolean> {
    const row = this.rows.get(tableId);
    if (!row || row.holder !== holder || row.state !== 'running') return false;
    this.rows.set(tableId, { ...row, expiresAtMs: nowMs + leaseMs });
    return true;
  }

  async report(tableId: string, holder: string, progress: MaintenanceProgress): Promise<void> {
    const row = this.rows.get(tableId);
    if (row && row.holder === holder && row.state === 'running') this.rows.set(tableId, { ...row, progress: { ...progress } });
  }

  async complete(tableId: string, holder: string, ranAtMs: number | null, progress?: MaintenanceProgress): Promise<void> {
    const row = this.rows.get(tableId);
    if (row && row.holder === holder)
      this.rows.set(tableId, {
        ...row,
        state: 'done',
        expiresAtMs: 0,
        lastRunMs: ranAtMs ?? row.lastRunMs,
        progress: progress ? { ...progress } : row.progress,
      });
  }

  async fail(tableId: string, holder: string, progress: MaintenanceProgress, release: boolean): Promise<void> {
    const row = this.rows.get(tableId);
    if (row && row.holder === holder) this.rows.set(tableId, { ...row, state: 'failed', ...(release ? { expiresAtMs: 0 } : {}), progress: { ...progress } });
  }

  async get(tableId: string): Promise<MaintenanceJobRecord | undefined> {
    const row = this.rows.get(tableId);
    return row ? { ...row, ...(row.progress ? { progress: { ...row.progress } } : {}) } : undefined;
  }
}

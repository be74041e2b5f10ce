/** Maintenance leases in memory: the reference the contract suite (test/persistence/dropped-contract.ts) holds the database adapters to. */
import type { MaintenanceLeases } from '../../catalog/maintenance/ports.js';

export class MemoryMaintenanceLeases implements MaintenanceLeases {
  private readonly rows = new Map<string, { holder: string; expiresAtMs: number; lastRunMs: number }>();

  async take(tableId: string, _warehouse: string, holder: string, nowMs: number, leaseMs: number, dueBeforeMs: number): Promise<boolean> {
    const row = this.rows.get(tableId);
    if (row && (row.expiresAtMs > nowMs || row.lastRunMs >= dueBeforeMs)) return false;
    this.rows.set(tableId, { holder, expiresAtMs: nowMs + leaseMs, lastRunMs: row?.lastRunMs ?? 0 });
    return true;
  }

  async complete(tableId: string, holder: string, nowMs: number): Promise<void> {
    const row = this.rows.get(tableId);
    if (row && row.holder === holder) this.rows.set(tableId, { holder, expiresAtMs: 0, lastRunMs: nowMs });
  }
}

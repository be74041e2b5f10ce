/** Pending owner grants in memory (catalog/ports/owner-grants.ts): the reference the contract suite holds the database adapter to. */
import type { PendingOwnerGrant, PendingOwnerGrantStore } from '../../catalog/ports/owner-grants.js';

export class MemoryPendingOwnerGrants implements PendingOwnerGrantStore {
  private readonly grants = new Map<string, PendingOwnerGrant>();

  async add(grant: PendingOwnerGrant): Promise<void> {
    if (this.grants.has(grant.id)) throw new TypeError(`pending owner grant ${grant.id} exists already`);
    this.grants.set(grant.id, structuredClone(grant));
  }

  async remove(id: string): Promise<boolean> {
    return this.grants.delete(id);
  }

  async pending(beforeMs: number, limit: number): Promise<PendingOwnerGrant[]> {
    return [...this.grants.values()]
      .filter((g) => g.createdAtMs < beforeMs)
      .sort((a, b) => a.createdAtMs - b.createdAtMs || a.id.localeCompare(b.id))
      .slice(0, limit)
      .map((g) => structuredClone(g));
  }
}

/**
 * Trusted policy enforcers (issue 54): principals (engines) an administrator declared able to enforce a
 * warehouse's row-filter and column-mask policies themselves. Kept in the catalog database (migration 0026) and
 * read through the gate's cache (gate.ts), so a withdrawn declaration holds within the authorization cache bound.
 */
import type { OutboxEventInput, OutboxWriter } from './outbox.js';

/** How an enforcer is told the user's policies: Lakegate's OPA decision endpoints, or loadTable's read-restrictions. */
export type EnforcerMechanism = 'trino-opa' | 'read-restrictions';

export interface PolicyEnforcer {
  tenant: string;
  warehouse: string;
  /** The engine's service principal. */
  clientId: string;
  mechanism: EnforcerMechanism;
  /** trino-opa: the warehouse's catalog name in that Trino. */
  trinoCatalog?: string;
  /** Who declared it (Caller.description). */
  createdBy: string;
  createdAtMs: number;
}

export interface EnforcerStore {
  /** The warehouse's enforcers, by client id. */
  list(tenant: string, warehouse: string): Promise<PolicyEnforcer[]>;
  /** Every enforcer declaration of a principal in a tenant (any warehouse). */
  listForPrincipal(tenant: string, clientId: string): Promise<PolicyEnforcer[]>;
  /** Inserts or replaces the declaration of (tenant, warehouse, clientId); `events` commit with it. */
  put(enforcer: PolicyEnforcer, events?: readonly OutboxEventInput[]): Promise<void>;
  /** Removes it; false when there was none. `events` commit with it. */
  remove(tenant: string, warehouse: string, clientId: string, events?: readonly OutboxEventInput[]): Promise<boolean>;
}

const keyOf = (tenant: string, warehouse: string, clientId: string) => JSON.stringify([tenant, warehouse, clientId]);

/** The in-memory EnforcerStore. */
export class MemoryEnforcers implements EnforcerStore {
  private readonly rows = new Map<string, PolicyEnforcer>();

  constructor(private readonly outbox?: OutboxWriter) {}

  async list(tenant: string, warehouse: string): Promise<PolicyEnforcer[]> {
    return [...this.rows.values()]
      .filter((e) => e.tenant === tenant && e.warehouse === warehouse)
      .sort((a, b) => (a.clientId < b.clientId ? -1 : 1))
      .map((e) => ({ ...e }));
  }

  async listForPrincipal(tenant: string, clientId: string): Promise<PolicyEnforcer[]> {
    return [...this.rows.values()]
      .filter((e) => e.tenant === tenant && e.clientId === clientId)
      .sort((a, b) => (a.warehouse < b.warehouse ? -1 : 1))
      .map((e) => ({ ...e }));
  }

  async put(enforcer: PolicyEnforcer, events: readonly OutboxEventInput[] = []): Promise<void> {
    this.rows.set(keyOf(enforcer.tenant, enforcer.warehouse, enforcer.clientId), { ...enforcer });
    if (events.length > 0) await this.outbox?.appendEvents(events);
  }

  async remove(tenant: string, warehouse: string, clientId: string, events: readonly OutboxEventInput[] = []): Promise<boolean> {
    const removed = this.rows.delete(keyOf(tenant, warehouse, clientId));
    if (removed && events.length > 0) await this.outbox?.appendEvents(events);
    return removed;
  }
}

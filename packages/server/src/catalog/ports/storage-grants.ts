/**
 * Tenant storage grants: the storage (bucket, container or prefix roots) the platform granted a tenant, inside which
 * the tenant's administrators may create warehouses (docs/security.md, "Storage authority"). No grant: no storage.
 */

export interface TenantStorageGrant {
  tenant: string;
  /** Normalized cloud locations (s3://bucket, s3://bucket/prefix, gs://…, abfss://…); never file:. */
  roots: string[];
  updatedAtMs: number;
}

import type { OutboxEventInput, OutboxWriter } from './outbox.js';

/** Where grants are kept: the catalog database (persistence/kysely-storage-grants.ts), or memory (tests). */
export interface StorageGrantStore {
  get(tenant: string): Promise<TenantStorageGrant | undefined>;
  /** Replaces the tenant's grant; an empty list withdraws it (warehouses made under it stay). `events` commit with it. */
  put(grant: TenantStorageGrant, events?: readonly OutboxEventInput[]): Promise<void>;
}

/** The in-memory StorageGrantStore. */
export class MemoryStorageGrants implements StorageGrantStore {
  private readonly grants = new Map<string, TenantStorageGrant>();

  /** @param outbox where put's events go (the memory outbox the tests read). */
  constructor(private readonly outbox?: OutboxWriter) {}

  async get(tenant: string): Promise<TenantStorageGrant | undefined> {
    const grant = this.grants.get(tenant);
    return grant && { ...grant, roots: [...grant.roots] };
  }

  async put(grant: TenantStorageGrant, events: readonly OutboxEventInput[] = []): Promise<void> {
    this.grants.set(grant.tenant, { ...grant, roots: [...grant.roots] });
    if (events.length > 0) await this.outbox?.appendEvents(events);
  }
}

/** Pending owner grants (catalog/ports/owner-grants.ts) over SQLite or PostgreSQL, in `pending_owner_grants` (migration 0030). */
import type { Kysely } from 'kysely';
import type { MemberKind, SecurableRef } from '../catalog/ports/access.js';
import type { PendingOwnerGrant, PendingOwnerGrantStore } from '../catalog/ports/owner-grants.js';
import { type Int, KyselyPendingRows } from './kysely-pending-rows.js';
import type { CatalogDatabase } from './schema.js';

interface Row {
  id: string;
  tenant: string;
  warehouse: string;
  member_kind: string;
  member_issuer: string;
  member_name: string;
  securable_kind: string;
  securable_id: string;
  object: string;
  created_at: Int;
}

export class KyselyPendingOwnerGrants extends KyselyPendingRows<PendingOwnerGrant, Row> implements PendingOwnerGrantStore {
  /** @param db the database, or a transaction (then every write is part of it). */
  constructor(db: Kysely<CatalogDatabase>) {
    super(
      db,
      'pending_owner_grants',
      (g) => ({
        id: g.id,
        tenant: g.tenant,
        warehouse: g.warehouse,
        member_kind: g.member.kind,
        member_issuer: g.member.issuer,
        member_name: g.member.name,
        securable_kind: g.securable.kind,
        securable_id: g.securable.id,
        object: g.object,
        created_at: g.createdAtMs,
      }),
      (r) => ({
        id: r.id,
        tenant: r.tenant,
        warehouse: r.warehouse,
        member: { kind: r.member_kind as MemberKind, issuer: r.member_issuer, name: r.member_name },
        securable: { kind: r.securable_kind as SecurableRef['kind'], id: r.securable_id },
        object: r.object,
        createdAtMs: Number(r.created_at),
      }),
    );
  }
}

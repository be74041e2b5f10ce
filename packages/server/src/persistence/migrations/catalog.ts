/** Migrations 0001–0005: the catalog, storage profiles and secrets, identity, request signing and API keys, tenants. */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const catalogMigrations: Record<string, Migration> = {
  '0001_catalog': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('warehouses')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('storage_root', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('namespaces')
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('parent', 'text', (c) => c.notNull())
        .addColumn('properties', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('namespaces_pk', ['warehouse', 'name'])
        .execute();
      await db.schema.createIndex('namespaces_parent_idx').on('namespaces').columns(['warehouse', 'parent', 'name']).execute();
      await db.schema
        .createTable('catalog_objects')
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('uuid', 'text', (c) => c.notNull())
        .addColumn('location', 'text', (c) => c.notNull())
        .addColumn('metadata_location', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('catalog_objects_pk', ['warehouse', 'namespace', 'name'])
        .execute();
      await db.schema.createIndex('catalog_objects_kind_idx').on('catalog_objects').columns(['warehouse', 'namespace', 'kind', 'name']).execute();
      await db.schema.createIndex('catalog_objects_location_idx').on('catalog_objects').columns(['warehouse', 'location']).execute();
      await db.schema
        .createTable('staged_tables')
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('uuid', 'text', (c) => c.notNull())
        .addColumn('location', 'text', (c) => c.notNull())
        .addColumn('metadata', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('staged_tables_pk', ['uuid'])
        .execute();
      await db.schema.createIndex('staged_tables_name_idx').on('staged_tables').columns(['warehouse', 'namespace', 'name']).execute();
      await db.schema
        .createTable('idempotency_keys')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('metrics_reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('namespace', 'text', (c) => c.notNull())
        .addColumn('table_name', 'text', (c) => c.notNull())
        .addColumn('report_type', 'text', (c) => c.notNull())
        .addColumn('report', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('metrics_reports_table_idx').on('metrics_reports').columns(['warehouse', 'namespace', 'table_name', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['metrics_reports', 'idempotency_keys', 'staged_tables', 'catalog_objects', 'namespaces', 'warehouses']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  },
  '0002_storage_profiles_and_secrets': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('warehouses')
        .addColumn('storage_profile', 'text', (c) => c.notNull().defaultTo('{"type":"file"}'))
        .execute();
      await db.schema.alterTable('warehouses').addColumn('secret_id', 'text').execute();
      await db.schema
        .createTable('secrets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('retired_at', 'bigint')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('signing_keys').ifExists().execute();
      await db.schema.dropTable('secrets').ifExists().execute();
    },
  },
  '0003_identity': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('service_principals')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        /** Bumped on rotation: refresh tokens minted under an older secret stop working. */
        .addColumn('secret_version', 'integer', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        /** JSON: whom this principal may act for in token exchange ({"users":[…],"groups":[…],"assert-identity":bool}). */
        .addColumn('delegation', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_events_at_idx').on('audit_events').columns(['at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('audit_events').ifExists().execute();
      await db.schema.dropTable('service_principals').ifExists().execute();
    },
  },
  '0004_request_signing_and_api_keys': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('access_keys')
        .addColumn('access_key_id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        /** SigV4 verification needs the secret itself, so it is sealed (AES-GCM), not hashed. */
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('api_keys')
        .addColumn('key_id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('api_keys').ifExists().execute();
      await db.schema.dropTable('access_keys').ifExists().execute();
    },
  },
  '0005_tenants': {
    async up(db: Kysely<unknown>) {
      // Everything that existed before tenants belongs to the implicit tenant "default".
      await db.schema
        .alterTable('warehouses')
        .addColumn('tenant', 'text', (c) => c.notNull().defaultTo('default'))
        .execute();
      await db.schema
        .alterTable('service_principals')
        .addColumn('tenant', 'text', (c) => c.notNull().defaultTo('default'))
        .execute();
      await db.schema.createIndex('warehouses_tenant_idx').on('warehouses').columns(['tenant', 'name']).execute();
      await db.schema.createIndex('service_principals_tenant_idx').on('service_principals').columns(['tenant', 'client_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('service_principals_tenant_idx').ifExists().execute();
      await db.schema.dropIndex('warehouses_tenant_idx').ifExists().execute();
      await db.schema.alterTable('service_principals').dropColumn('tenant').execute();
      await db.schema.alterTable('warehouses').dropColumn('tenant').execute();
    },
  },
};

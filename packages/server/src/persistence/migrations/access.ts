/** Migrations 0006–0010: authorization (catalog ids, roles, grants), identity lifecycle, console sessions, the listing index. */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

export const accessMigrations: Record<string, Migration> = {
  '0006_authorization': {
    async up(db: Kysely<unknown>) {
      // Catalog ids: grants name a namespace, table or view by the id of its row, so a renamed object keeps its
      // grants and a dropped and re-created one starts with none. Existing rows get fresh ids here.
      await db.schema.alterTable('namespaces').addColumn('id', 'text').execute();
      await db.schema.alterTable('catalog_objects').addColumn('id', 'text').execute();
      await backfillIds(db, 'namespaces', ['warehouse', 'name']);
      await backfillIds(db, 'catalog_objects', ['warehouse', 'namespace', 'name']);
      await db.schema.createIndex('namespaces_id_idx').on('namespaces').column('id').unique().execute();
      await db.schema.createIndex('catalog_objects_id_idx').on('catalog_objects').column('id').unique().execute();
      // Who stage-created a table: until it is committed, only they (or a writer of the namespace) may use it.
      await db.schema
        .alterTable('staged_tables')
        .addColumn('owner', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .createTable('roles')
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('roles_pk', ['tenant', 'name'])
        .execute();
      await db.schema
        .createTable('role_members')
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        /** principal | user | group */
        .addColumn('member_kind', 'text', (c) => c.notNull())
        /** The issuer that vouches for a user or group ('' for principals). */
        .addColumn('member_issuer', 'text', (c) => c.notNull())
        .addColumn('member_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('role_members_pk', ['tenant', 'role', 'member_kind', 'member_issuer', 'member_name'])
        .execute();
      await db.schema.createIndex('role_members_member_idx').on('role_members').columns(['tenant', 'member_kind', 'member_issuer', 'member_name']).execute();
      await db.schema
        .createTable('grants')
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('privilege', 'text', (c) => c.notNull())
        /** warehouse | namespace | table | view */
        .addColumn('securable_kind', 'text', (c) => c.notNull())
        /** The warehouse name, or the catalog id of the namespace, table or view. */
        .addColumn('securable_id', 'text', (c) => c.notNull())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('grants_pk', ['tenant', 'role', 'securable_kind', 'securable_id', 'privilege'])
        .execute();
      await db.schema.createIndex('grants_securable_idx').on('grants').columns(['tenant', 'securable_id', 'role']).execute();
      // The audit trail becomes tenant-partitioned and records decisions.
      await db.schema
        .alterTable('audit_events')
        .addColumn('tenant', 'text', (c) => c.notNull().defaultTo('default'))
        .execute();
      for (const column of ['decision', 'action', 'object', 'request_id']) await db.schema.alterTable('audit_events').addColumn(column, 'text').execute();
      await db.schema.createIndex('audit_events_tenant_at_idx').on('audit_events').columns(['tenant', 'at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('audit_events_tenant_at_idx').ifExists().execute();
      for (const column of ['request_id', 'object', 'action', 'decision', 'tenant']) await db.schema.alterTable('audit_events').dropColumn(column).execute();
      await db.schema.dropTable('grants').ifExists().execute();
      await db.schema.dropTable('role_members').ifExists().execute();
      await db.schema.dropTable('roles').ifExists().execute();
      await db.schema.alterTable('staged_tables').dropColumn('owner').execute();
      await db.schema.dropIndex('catalog_objects_id_idx').ifExists().execute();
      await db.schema.dropIndex('namespaces_id_idx').ifExists().execute();
      await db.schema.alterTable('catalog_objects').dropColumn('id').execute();
      await db.schema.alterTable('namespaces').dropColumn('id').execute();
    },
  },
  '0007_identity_lifecycle': {
    async up(db: Kysely<unknown>) {
      // Tokens of a principal issued before this instant are refused (set when it is disabled, or on demand), so
      // re-enabling a principal never revives a leaked token.
      await db.schema.alterTable('service_principals').addColumn('tokens_valid_after', 'bigint').execute();
      // Token sessions: one row per session (`sid`) that needs state, i.e. that was revoked or whose refresh token
      // was used (rotation). Sessions without state need no row; rows are swept once the session's end has passed.
      await db.schema
        .createTable('token_sessions')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('tenant', 'text', (c) => c.notNull())
        /** How many times the session's refresh token was rotated; a refresh token of an older generation is a reuse. */
        .addColumn('refresh_generation', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoked_reason', 'text')
        /** When the session ends anyway (its start plus the maximum session lifetime): the row can go after that. */
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('token_sessions_expires_idx').on('token_sessions').columns(['expires_at']).execute();
      await db.schema.createIndex('access_keys_client_idx').on('access_keys').columns(['client_id']).execute();
      await db.schema.createIndex('api_keys_client_idx').on('api_keys').columns(['client_id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('api_keys_client_idx').ifExists().execute();
      await db.schema.dropIndex('access_keys_client_idx').ifExists().execute();
      await db.schema.dropIndex('token_sessions_expires_idx').ifExists().execute();
      await db.schema.dropTable('token_sessions').ifExists().execute();
      await db.schema.alterTable('service_principals').dropColumn('tokens_valid_after').execute();
    },
  },
  '0009_console_sessions': {
    async up(db: Kysely<unknown>) {
      // Web console sessions: the token itself is only in the browser's httpOnly cookie; this holds its SHA-256.
      await db.schema
        .createTable('console_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('tenant', 'text', (c) => c.notNull())
        .addColumn('subject_kind', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('groups', 'text', (c) => c.notNull())
        .addColumn('secret_version', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('console_sessions_expires_idx').on('console_sessions').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('console_sessions').ifExists().execute();
    },
  },
  '0010_listing_index': {
    async up(db: Kysely<unknown>) {
      // Listings read (name, id) of a namespace's objects in name order. The id column came last (0006), behind the
      // metadata JSON, so each listed row read the table row and its overflow pages; with the id in the index a
      // page of a listing is read from the index alone (scattered over a million tables, that is what keeps it flat).
      await db.schema.createIndex('catalog_objects_list_idx').on('catalog_objects').columns(['warehouse', 'namespace', 'kind', 'name', 'id']).execute();
      await db.schema.dropIndex('catalog_objects_kind_idx').ifExists().execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.createIndex('catalog_objects_kind_idx').on('catalog_objects').columns(['warehouse', 'namespace', 'kind', 'name']).execute();
      await db.schema.dropIndex('catalog_objects_list_idx').ifExists().execute();
    },
  },
};

/** Gives every row without an id a fresh one, a batch of rows at a time (keyed by the table's primary key). */
async function backfillIds(db: Kysely<unknown>, table: string, key: string[]): Promise<void> {
  for (;;) {
    const rows = (
      await sql<Record<string, string>>`select ${sql.join(key.map((k) => sql.ref(k)))} from ${sql.table(table)} where id is null limit 500`.execute(db)
    ).rows;
    if (rows.length === 0) return;
    for (const row of rows) {
      const where = sql.join(
        key.map((k) => sql`${sql.ref(k)} = ${row[k]}`),
        sql` and `,
      );
      await sql`update ${sql.table(table)} set id = ${randomUUID()} where ${where}`.execute(db);
    }
  }
}

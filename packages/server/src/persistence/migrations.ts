/**
 * Versioned schema migrations. Each migration is append-only: a released
 * migration is never edited, a change is a new entry. Column types are the
 * portable subset that both SQLite and PostgreSQL accept (0011 adds
 * triggers, written for each). They live in migrations/, a file per group.
 */
import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationProvider, Migrator } from 'kysely/migration';
import { accessMigrations } from './migrations/access.js';
import { catalogMigrations } from './migrations/catalog.js';
import { listingVersionMigrations } from './migrations/listing-versions.js';
import { locationMigrations } from './migrations/locations.js';
import { lanceVersionMigrations } from './migrations/lance-versions.js';
import { maintenanceMigrations } from './migrations/maintenance.js';
import { metricsReportMigrations } from './migrations/metrics-reports.js';
import { storageGrantMigrations } from './migrations/storage-grants.js';
import { outboxMigrations } from './migrations/outbox.js';
import { eventIntentMigrations } from './migrations/event-intents.js';
import { policyMigrations } from './migrations/policies.js';
import { planningMigrations } from './migrations/planning.js';
import { federationMigrations } from './migrations/federation.js';
import { labelMigrations } from './migrations/labels.js';
import { functionMigrations } from './migrations/functions.js';
import { ownerGrantMigrations } from './migrations/owner-grants.js';
import { derivationIntentMigrations } from './migrations/derivation-intents.js';
import { lanceTagIntentMigrations } from './migrations/lance-tag-intents.js';

const migrations: Record<string, Migration> = {
  ...catalogMigrations,
  ...accessMigrations,
  ...listingVersionMigrations,
  ...locationMigrations,
  ...metricsReportMigrations,
  ...storageGrantMigrations,
  ...lanceVersionMigrations,
  ...outboxMigrations,
  ...maintenanceMigrations,
  ...eventIntentMigrations,
  ...policyMigrations,
  ...planningMigrations,
  ...federationMigrations,
  ...labelMigrations,
  ...functionMigrations,
  ...ownerGrantMigrations,
  ...derivationIntentMigrations,
  ...lanceTagIntentMigrations,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  // Migrations are independent of each other's order (each adds its own tables and columns): a database that
  // applied a later-numbered one before an earlier one landed (development branches) still migrates.
  const migrator = new Migrator({ db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Up to (and including) the named migration only: a database as an older release left it (tests of a migration's upgrade). */
export async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider, allowUnorderedMigrations: true }).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

export { sql };

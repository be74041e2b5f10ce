/**
 * The catalog store the config names: PostgreSQL when `database` is set, else the SQLite file in the data dir.
 * Its own module so the delivery thread (compose/delivery-thread-entry.ts) opens its store without loading the app.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Coherence, LocalCoherence } from '../catalog/ports/index.js';
import type { Spans } from '../catalog/ports/tracing.js';
import type { LakegateConfig } from '../config/config.js';
import type { LakegateStore } from '../store.js';

/**
 * @param maxConnections PostgreSQL's pool size (default 10); SQLite has its two connections either way
 *
 * Only the store the config names is imported: a SQLite server never loads the PostgreSQL driver, nor the reverse.
 */
export async function createStore(config: LakegateConfig, spans?: Spans, maxConnections?: number): Promise<LakegateStore> {
  if (config.database) {
    const { PostgresCatalogStore } = await import('../persistence/postgres/postgres-store.js');
    return new PostgresCatalogStore({ connectionString: config.database, spans, ...(maxConnections ? { maxConnections } : {}) });
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const { SqliteCatalogStore } = await import('../persistence/sqlite/sqlite-store.js');
  return new SqliteCatalogStore(sqliteFile(config), spans);
}

/** The SQLite database file of a config without `database` (the audit thread opens it too: compose/audit-thread.ts). */
export const sqliteFile = (config: LakegateConfig): string => path.join(config.dataDir, 'catalog.sqlite');

/**
 * How this process tells the others that something cached changed: the other workers of this server over IPC
 * (`worker`), and on PostgreSQL every other replica too (persistence/postgres/replica-coherence.ts). `close` ends
 * the replica channel.
 */
export async function createCoherence(
  config: LakegateConfig,
  worker: Coherence | undefined,
  warn: (message: string) => void,
): Promise<{ coherence: Coherence; close(): Promise<void> }> {
  const local = worker ?? new LocalCoherence();
  if (!config.database) return { coherence: local, close: async () => undefined };
  const { ReplicaCoherence } = await import('../persistence/postgres/replica-coherence.js');
  const replicas = new ReplicaCoherence(local, config.database, warn);
  await replicas.start();
  return { coherence: replicas, close: () => replicas.close() };
}

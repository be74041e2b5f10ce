/**
 * The catalog store the config names: PostgreSQL when `database` is set, else the SQLite file in the data dir.
 * Its own module so the delivery thread (compose/delivery-thread-entry.ts) opens its store without loading the app.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Spans } from '../catalog/ports/tracing.js';
import type { LakegateConfig } from '../config/config.js';
import { PostgresCatalogStore } from '../persistence/postgres/postgres-store.js';
import { SqliteCatalogStore } from '../persistence/sqlite/sqlite-store.js';
import type { LakegateStore } from '../store.js';

/** @param maxConnections PostgreSQL's pool size (default 10); SQLite has its two connections either way */
export function createStore(config: LakegateConfig, spans?: Spans, maxConnections?: number): LakegateStore {
  if (config.database) return new PostgresCatalogStore({ connectionString: config.database, spans, ...(maxConnections ? { maxConnections } : {}) });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  return new SqliteCatalogStore(path.join(config.dataDir, 'catalog.sqlite'), spans);
}

/** The policy-enforced files' adapter as the composition root wires it (catalog/planning/rewrite-ports.ts). */
import type { ObjectStorage } from '../catalog/object-storage.js';
import type { DataFileRewriter } from '../catalog/planning/rewrite-ports.js';
import type { DuckDbEngine, DuckDbModule } from './duckdb-rewriter.js';

/** The largest object a rewrite reads from a store that cannot be read lazily (storage-files.ts). */
export const REWRITE_MAX_OBJECT_BYTES = 512 * 1024 * 1024;

/**
 * A rewriter with its own temporary files (StorageRewriteFiles holds one rewrite's), in this thread: the composition
 * root hands rewrites to the rewrite threads instead (compose/rewrite-threads.ts), which run this one. The Parquet
 * and Arrow libraries are imported by the first rewrite, not when the server starts.
 */
export const parquetRewriter = (storage: ObjectStorage, dir?: string): DataFileRewriter => ({
  async rewrite(request) {
    const [{ ParquetRewriter }, { StorageRewriteFiles }] = await Promise.all([import('./parquet-rewriter.js'), import('./storage-files.js')]);
    return new ParquetRewriter(new StorageRewriteFiles(storage, REWRITE_MAX_OBJECT_BYTES, dir)).rewrite(request);
  },
});

/**
 * The opt-in DuckDB engine of policy-enforced files (policy-files/duckdb-rewriter.ts) over `fallback`, the rewriter
 * the server has otherwise: it writes the requests DuckDB computes exactly and hands the rest to `fallback`.
 */
export const duckDbPolicyRewriter = (
  storage: ObjectStorage,
  fallback: DataFileRewriter,
  engine: DuckDbEngine,
  warn?: (message: string, detail: Record<string, unknown>) => void,
): DataFileRewriter => ({
  parallelism: fallback.parallelism,
  async rewrite(request) {
    const [{ DuckDbRewriter }, { StorageRewriteFiles }] = await Promise.all([import('./duckdb-rewriter.js'), import('./storage-files.js')]);
    const files = () => new StorageRewriteFiles(storage, REWRITE_MAX_OBJECT_BYTES);
    return new DuckDbRewriter({ engine, files, fallback, warn }).rewrite(request);
  },
});

/** The process's DuckDB engine, its module imported only when first asked for (duckdb-rewriter.ts). */
export const duckDbEngineLazy = (load?: () => Promise<DuckDbModule>): DuckDbEngine => {
  let engine: Promise<DuckDbEngine> | undefined;
  const get = () => (engine ??= import('./duckdb-rewriter.js').then((m) => m.duckDbEngine(load)));
  return {
    available: async () => (await get()).available(),
    connect: async () => (await get()).connect(),
    close: () => void engine?.then((e) => e.close()),
  };
};

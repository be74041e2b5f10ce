/**
 * The data-file rewriter of policy-enforced files and compaction (app.ts's rewriting step): the Parquet rewriter in
 * `rewriteThreads` worker threads (compose/rewrite-threads.ts), or in this thread with 0 threads, or when the thread
 * module is not built; with `policyFileEngine: duckdb`, DuckDB first for the requests it computes exactly
 * (policy-files/duckdb-rewriter.ts). An embedding program or a test may wrap it (BuildOptions.rewriter gets the rewriter it
 * would have had).
 */
import type { ObjectStorage } from '../catalog/ports/index.js';
import type { DataFileRewriter } from '../catalog/planning/rewrite-ports.js';
import type { LakegateConfig } from '../config/config.js';
import { duckDbEngineLazy, duckDbPolicyRewriter, parquetRewriter } from '../policy-files/index.js';
import type { DuckDbModule } from '../policy-files/duckdb-rewriter.js';
import type { WarehouseStorage } from '../storage/warehouse-storage.js';
import { RewriteThreads, rewriteThreadEntry } from './rewrite-threads.js';

export type RewriterFactory = (storage: ObjectStorage) => DataFileRewriter;
/** A wrapper of the server's rewriter (its second argument) for one storage. */
export type RewriterWrapper = (storage: ObjectStorage, base: DataFileRewriter) => DataFileRewriter;

export interface ComposedRewriting {
  rewriter: RewriterFactory;
  /** The threads, when rewrites run in them. */
  threads: RewriteThreads | undefined;
  close(): Promise<void>;
}

export function createRewriting(
  config: LakegateConfig,
  c: {
    warehouseStorage: WarehouseStorage;
    warn: (message: string, detail: Record<string, unknown>) => void;
    wrap?: RewriterWrapper | undefined;
    /** How `@duckdb/node-api` is imported (policyFileEngine duckdb); a test gives one that fails, as an absent package does. */
    loadDuckDb?: (() => Promise<DuckDbModule>) | undefined;
  },
): ComposedRewriting {
  const entry = config.rewriteThreads > 0 ? rewriteThreadEntry() : undefined;
  if (config.rewriteThreads > 0 && entry === undefined) c.warn('the Parquet rewrite thread module is not built; rewrites run on the request thread', {});
  const threads =
    entry === undefined
      ? undefined
      : new RewriteThreads({
          threads: config.rewriteThreads,
          entry,
          recipeOf: (storage) => c.warehouseStorage.recipeOf(storage),
          inProcess: (storage) => parquetRewriter(storage),
          warn: c.warn,
        });
  const parquet: RewriterFactory = threads ? (storage) => threads.rewriterFor(storage) : (storage) => parquetRewriter(storage);
  // policyFileEngine duckdb: the requests DuckDB computes exactly go to it, the rest to the Parquet rewriter; the
  // optional package is imported now, so its absence is told at startup (every request then goes to the Parquet rewriter).
  const engine = config.policyFileEngine === 'duckdb' ? duckDbEngineLazy(c.loadDuckDb) : undefined;
  void engine?.available().then((ok) => {
    if (!ok)
      c.warn(
        'policyFileEngine is duckdb but @duckdb/node-api cannot be loaded (an optional dependency): the Parquet rewriter writes every policy-enforced file',
        {},
      );
  });
  const base: RewriterFactory = engine ? (storage) => duckDbPolicyRewriter(storage, parquet(storage), engine, c.warn) : parquet;
  const { wrap } = c;
  return {
    rewriter: wrap ? (storage) => wrap(storage, base(storage)) : base,
    threads,
    close: async () => {
      engine?.close();
      await threads?.close();
    },
  };
}

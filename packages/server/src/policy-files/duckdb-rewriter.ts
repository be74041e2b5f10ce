/**
 * The opt-in DuckDB engine of policy-enforced files (config `policyFileEngine: duckdb`, docs/authorization.md): a
 * request DuckDB computes exactly (duckdb-sql.ts says which) is written by one `COPY (query) TO … (FORMAT parquet,
 * FIELD_IDS …)`; every other request (delete files, v3 lineage, sort, z-order, a target size, several inputs, nested
 * or other column types, required columns, sha-256-query-local, timestamp masks, …) and any DuckDB failure before the
 * file is published go to the Parquet rewriter it wraps, so the engine never fails a plan. The written file's field
 * ids are checked against the input's, and its counts and ranges are the ones the Parquet rewriter reports
 * (file-ranges.ts): counted by DuckDB (duckdb-stats.ts), or read back with the repository's reader when it has
 * float columns. `@duckdb/node-api` is an optional dependency,
 * imported only when the engine is configured (duckDbEngine): absent, the Parquet rewriter does every request.
 */
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DataFileRewriter, RewriteRequest, RewrittenFile } from '../catalog/planning/rewrite-ports.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { type DuckColumn, policyQuery, text } from './duckdb-sql.js';
import { type DuckStats, duckStats } from './duckdb-stats.js';
import { FileRanges } from './file-ranges.js';
import { columnBytes, localBlob, readRowGroups, ROW_GROUP_ROWS } from './parquet-io.js';

export type DuckDbModule = typeof import('@duckdb/node-api');

/** One DuckDB database in memory for the process, opened by the first rewrite (or `available`). */
export interface DuckDbEngine {
  /** Whether the module loads and the database opens (a composition root warns when it does not). */
  available(): Promise<boolean>;
  connect(): Promise<DuckDBConnection>;
  close(): void;
}

export function duckDbEngine(load: () => Promise<DuckDbModule> = () => import('@duckdb/node-api'), threads = 1): DuckDbEngine {
  let instance: Promise<DuckDBInstance> | undefined;
  const open = () =>
    (instance ??= load().then((m) =>
      m.DuckDBInstance.create(':memory:', {
        threads: String(threads),
        // No extension fetched nor loaded (Parquet is built in), and what spills goes to the system's temporary directory.
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
        temp_directory: join(tmpdir(), 'lakegate-duckdb'),
        // DuckDB's default is 80% of the machine's memory: a catalog process bounds its own (a COPY streams a row group
        // at a time; past this it spills or fails, and a failed request is the Parquet rewriter's).
        memory_limit: '1GB',
      }),
    ));
  return {
    available: () =>
      open().then(
        () => true,
        () => false,
      ),
    connect: async () => (await open()).connect(),
    close: () => {
      void instance?.then((i) => i.closeSync()).catch(() => undefined);
    },
  };
}

/** Where one DuckDB rewrite's files are (storage-files.ts StorageRewriteFiles). */
export interface DuckRewriteFiles {
  localPath(uri: string): Promise<string>;
  scratch(): Promise<string>;
  publish(path: string, uri: string): Promise<void>;
  discard(): Promise<void>;
}

/** A request DuckDB may write, before its input's columns are looked at: one Parquet input, nothing but a filter and masks. */
export function eligible(r: RewriteRequest): boolean {
  const [input, ...more] = r.inputs;
  return (
    input !== undefined &&
    more.length === 0 &&
    input.format.toLowerCase() === 'parquet' &&
    input.deletes.length === 0 &&
    input.lineage === undefined &&
    (r.sort ?? []).length === 0 &&
    r.zorder === undefined &&
    r.targetFileSizeBytes === undefined &&
    (r.filter !== undefined || r.transforms.length > 0)
  );
}

type Row = Record<string, unknown>;
const rows = async (c: DuckDBConnection, sql: string): Promise<Row[]> => (await c.runAndReadAll(sql)).getRowObjectsJson() as Row[];

/** The input's top-level columns, or undefined when one is nested, required, without a field id or of a timestamp unit other than micros. */
async function columnsOf(c: DuckDBConnection, source: string): Promise<DuckColumn[] | undefined> {
  const schema = await rows(c, `SELECT name, type, converted_type, logical_type, repetition_type, num_children, field_id FROM parquet_schema(${source})`);
  const described = await rows(c, `DESCRIBE SELECT * FROM read_parquet(${source})`);
  const [root, ...leaves] = schema;
  if (root === undefined || Number(root.num_children) !== leaves.length || described.length !== leaves.length) return undefined;
  const columns: DuckColumn[] = [];
  for (const [i, leaf] of leaves.entries()) {
    const type = String(described[i]!.column_type);
    const fieldId = Number(leaf.field_id);
    if (leaf.num_children !== null && Number(leaf.num_children) !== 0) return undefined;
    if (leaf.repetition_type !== 'OPTIONAL' || leaf.field_id === null || !Number.isInteger(fieldId)) return undefined;
    if (leaf.name !== described[i]!.column_name) return undefined;
    if (type.startsWith('TIMESTAMP') && !(leaf.converted_type === 'TIMESTAMP_MICROS' || String(leaf.logical_type).includes('MICROS=MicroSeconds')))
      return undefined;
    columns.push({ name: String(leaf.name), fieldId, type });
  }
  return columns;
}

export class DuckDbRewriter implements DataFileRewriter {
  constructor(
    private readonly o: {
      engine: DuckDbEngine;
      files: () => DuckRewriteFiles;
      /** The Parquet rewriter: every request this one does not write. */
      fallback: DataFileRewriter;
      warn?: ((message: string, detail: Record<string, unknown>) => void) | undefined;
    },
  ) {}

  get parallelism(): number | undefined {
    return this.o.fallback.parallelism;
  }

  async rewrite(request: RewriteRequest): Promise<RewrittenFile> {
    if (!eligible(request)) return this.o.fallback.rewrite(request);
    const files = this.o.files();
    try {
      let written: { path: string; file: RewrittenFile } | undefined;
      try {
        written = await this.write(request, files);
      } catch (e) {
        request.signal?.throwIfAborted();
        this.o.warn?.('the DuckDB policy-file engine failed on a request; the Parquet rewriter writes it', {
          reason: e instanceof Error ? e.message.slice(0, 200) : 'unknown',
        });
      }
      if (written === undefined) return await this.o.fallback.rewrite(request);
      request.signal?.throwIfAborted();
      await files.publish(written.path, written.file.uri);
      return written.file;
    } finally {
      await files.discard();
    }
  }

  /** The file written (not yet published), or undefined when DuckDB does not compute this request exactly. */
  private async write(request: RewriteRequest, files: DuckRewriteFiles): Promise<{ path: string; file: RewrittenFile } | undefined> {
    if (!(await this.o.engine.available())) return undefined;
    const source = text(await files.localPath(request.inputs[0]!.uri));
    if (source === undefined) return undefined;
    const c = await this.o.engine.connect();
    try {
      const columns = await columnsOf(c, source);
      const query = columns && policyQuery(source, columns, request.filter, request.transforms);
      if (columns === undefined || query === undefined) return undefined;
      const out = await files.scratch();
      const target = text(out);
      if (target === undefined) return undefined;
      const ids = columns.map((col) => `${text(col.name)!}: ${col.fieldId}`).join(', ');
      request.signal?.throwIfAborted();
      // DuckDB's dictionary takes 0 and -0 for one value (a column of both wrote -0 for every 0): no dictionary then.
      const floats = columns.some((col) => col.type === 'FLOAT' || col.type === 'DOUBLE') ? ', DICTIONARY_SIZE_LIMIT 0' : '';
      await c.run(`COPY (${query}) TO ${target} (FORMAT parquet, FIELD_IDS {${ids}}, ROW_GROUP_SIZE ${ROW_GROUP_ROWS}${floats})`);
      const written = await rows(c, `SELECT field_id FROM parquet_schema(${target})`);
      if (written.slice(1).some((r, i) => Number(r.field_id) !== columns[i]!.fieldId) || written.length !== columns.length + 1)
        throw new Error('the written file lost field ids');
      const counted = await duckStats(c, target, columns);
      return { path: out, file: await describeWritten(out, request.output, columns, counted) };
    } finally {
      c.closeSync();
    }
  }
}

/**
 * The written file's counts, ranges and column sizes: counted by DuckDB (duckdb-stats.ts) or, for a file with float
 * columns, read back as the Parquet rewriter's are computed.
 */
async function describeWritten(path: string, uri: string, columns: readonly DuckColumn[], counted: DuckStats | undefined): Promise<RewrittenFile> {
  const byName = await columnBytes(await localBlob(path));
  const columnSizes = new Map<number, number>();
  for (const col of columns) if (byName.has(col.name)) columnSizes.set(col.fieldId, byName.get(col.name)!);
  const fileSizeInBytes = (await stat(path)).size;
  if (counted !== undefined) {
    const { records, valueCounts, nullValueCounts, ranges } = counted;
    return { uri, format: 'parquet', recordCount: records, fileSizeInBytes, columnSizes, valueCounts, nullValueCounts, ranges };
  }
  const stats = new FileRanges();
  let records = 0;
  let checked = false;
  for await (const batch of readRowGroups(await localBlob(path))) {
    if (!checked) {
      const ids = batch.schema.fields.map((f) => Number(f.metadata.get(FIELD_ID_KEY)));
      if (ids.length !== columns.length || ids.some((id, i) => id !== columns[i]!.fieldId)) throw new Error('the written file lost field ids');
      checked = true;
    }
    stats.observe(batch);
    records += batch.numRows;
  }
  // No row written: every column counted as none (the Parquet rewriter's empty batches count so too).
  for (const col of columns) {
    if (!stats.valueCounts.has(col.fieldId)) stats.valueCounts.set(col.fieldId, 0);
    if (!stats.nullValueCounts.has(col.fieldId)) stats.nullValueCounts.set(col.fieldId, 0);
  }
  return {
    uri,
    format: 'parquet',
    recordCount: records,
    fileSizeInBytes,
    columnSizes,
    valueCounts: stats.valueCounts,
    nullValueCounts: stats.nullValueCounts,
    ranges: stats.result(),
  };
}

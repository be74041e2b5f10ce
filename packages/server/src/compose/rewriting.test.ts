/**
 * The rewriter the composition root hands out with `policyFileEngine: duckdb` (compose/rewriting.ts): when
 * `@duckdb/node-api` cannot be imported (an optional dependency left out) the server warns once at startup and every
 * policy-enforced file is written by the Parquet rewriter; with the package there, no warning.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DateDay, Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { FIELD_ID_KEY } from '../policy-files/apply-batch.js';
import { localBlob, readRowGroups, writeParquet } from '../policy-files/parquet-io.js';
import { LocalFileStorage } from '../storage/file/local-file-storage.js';
import type { WarehouseStorage } from '../storage/warehouse-storage.js';
import { createRewriting } from './rewriting.js';

async function* one<T>(item: T): AsyncGenerator<T> {
  yield item;
}

describe('policyFileEngine duckdb in the composition root', () => {
  let dir: string;
  const at = (name: string) => pathToFileURL(path.join(dir, name)).href;
  const config = loadConfig({ env: { LAKEGATE_POLICY_FILE_ENGINE: 'duckdb', LAKEGATE_REWRITE_THREADS: '0' } });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rewriting-engine-'));
    const f = (name: string, type: DateDay | Int64 | Utf8, id: number) => new Field(name, type, true, new Map([[FIELD_ID_KEY, String(id)]]));
    const fields = [f('id', new Int64(), 1), f('email', new Utf8(), 2), f('born', new DateDay(), 3)];
    const children = [
      vectorFromArray([1n, 2n, 3n], fields[0]!.type).data[0]!,
      vectorFromArray(['Ann@X.org', null, 'bo9@y.com'], fields[1]!.type).data[0]!,
      vectorFromArray([new Date(Date.UTC(1990, 5, 3)), null, new Date(Date.UTC(2001, 0, 9))], fields[2]!.type).data[0]!,
    ];
    const schema = new Schema(fields);
    await writeParquet(path.join(dir, 'in.parquet'), one(new RecordBatch(schema, makeData({ type: new Struct(fields), length: 3, nullCount: 0, children }))));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function rewriteWith(loadDuckDb: (() => Promise<never>) | undefined, out: string) {
    const warnings: string[] = [];
    const rewriting = createRewriting(config, { warehouseStorage: {} as WarehouseStorage, warn: (m) => warnings.push(m), loadDuckDb });
    const written = await rewriting.rewriter(new LocalFileStorage()).rewrite({
      inputs: [{ uri: at('in.parquet'), format: 'parquet', deletes: [] }],
      transforms: [{ fieldId: 2, action: 'mask-alphanum' }],
      output: at(out),
      querySalt: new Uint8Array(32),
    });
    await rewriting.close();
    const rows: unknown[] = [];
    for await (const b of readRowGroups(await localBlob(path.join(dir, out)))) rows.push(...b.toArray().map((r) => r.toJSON().email));
    return { warnings, written, rows };
  }

  it('warns at startup and writes with the Parquet rewriter when @duckdb/node-api cannot be imported', async () => {
    const { warnings, written, rows } = await rewriteWith(() => Promise.reject(new Error("Cannot find package '@duckdb/node-api'")), 'absent.parquet');
    expect(warnings).toEqual([expect.stringMatching(/^policyFileEngine is duckdb but @duckdb\/node-api cannot be loaded/)]);
    expect(written.recordCount).toBe(3);
    expect(rows).toEqual(['Xxx@X.xxx', null, 'xxn@x.xxx']);
  });

  it('warns of nothing and writes the same rows with the package there', async () => {
    const { warnings, written, rows } = await rewriteWith(undefined, 'present.parquet');
    expect(warnings).toEqual([]);
    expect(written.recordCount).toBe(3);
    expect(rows).toEqual(['Xxx@X.xxx', null, 'xxn@x.xxx']);
    expect(Buffer.from(await (await localBlob(path.join(dir, 'present.parquet'))).arrayBuffer()).toString('latin1')).toContain('DuckDB');
  });
});

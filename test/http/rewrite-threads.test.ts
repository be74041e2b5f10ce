/**
 * Parquet rewrites in worker threads (compose/rewrite-threads.ts), with the real Parquet rewriter in a real thread
 * (the built entry module) on a file storage:
 * - the thread answers what the in-process rewriter answers, stats and errors alike (the same CatalogError code);
 * - while a multi-MB rewrite runs, the request thread keeps answering /healthz (many answers before the rewrite's),
 *   and its event loop stays mostly idle (utilization measured over the rewrite; the in-process rewriter keeps it
 *   busy, which is the old behaviour this replaces; the timings themselves are in bench/rewrite-latency.ts);
 * - a thread that dies mid-job fails that job with ERR_UNAVAILABLE naming the exit, and the next job gets a new one;
 * - the caller's abort stops a running job (its thread terminated, nothing published, its scratch files removed), and
 *   close() fails what is running.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogError } from '../../packages/server/src/errors/catalog-error.js';
import { RewriteThreads, rewriteThreadEntry } from '../../packages/server/src/compose/rewrite-threads.js';
import { FIELD_ID_KEY } from '../../packages/server/src/policy-files/apply-batch.js';
import { parquetRewriter } from '../../packages/server/src/policy-files/index.js';
import { writeParquet } from '../../packages/server/src/policy-files/parquet-io.js';
import type { RewriteRequest } from '../../packages/server/src/catalog/planning/rewrite-ports.js';
import { LocalFileStorage } from '../../packages/server/src/storage/file/local-file-storage.js';
import type { StorageRecipe } from '../../packages/server/src/storage/warehouse-storage.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tempDir } from '../support/temp.js';
import { waitFor } from '../support/wait-for.js';

const ROWS = 250_000;
const fileRecipe: StorageRecipe = { id: 'file#1', warehouse: 'test', profile: { type: 'file' } as StorageRecipe['profile'], secret: undefined };
const storage = new LocalFileStorage();

let dir: string;
let cleanup: () => void;
let scratchRoot: string;
let savedTmp: string | undefined;
let cat: TestCatalog;
let n = 0;
const at = (name: string) => pathToFileURL(path.join(dir, name)).href;
const request = (input: string, output = `out-${n++}.parquet`, format = 'parquet'): RewriteRequest => ({
  inputs: [{ uri: at(input), format, deletes: [] }],
  transforms: [],
  output: at(output),
  querySalt: new Uint8Array(32),
});
const pool = (entry?: URL) => {
  const warnings: string[] = [];
  const policies: string[] = [];
  const threads = new RewriteThreads({
    threads: 1,
    recipeOf: () => fileRecipe,
    inProcess: (s) => parquetRewriter(s),
    warn: (message) => warnings.push(message),
    ...(entry ? { entry } : {}),
    // No chrt calls from tests (whether the system takes SCHED_IDLE is runtime/thread-priority.test.ts's business).
    setPolicy: async (_tid, policy) => {
      policies.push(policy);
      return true;
    },
  });
  return { threads, warnings, policies, rewriter: threads.rewriterFor(storage) };
};
const scratch = () => readdirSync(scratchRoot).filter((f) => f.startsWith('lakegate-rewrite-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Every scratch directory gone: removed after the job's answer (once a terminated thread has ended), so waited for. */
const scratchRemoved = () => waitFor('the rewrite scratch directories to be removed', scratch, (left) => left.length === 0);

async function* batches(rows: number): AsyncGenerator<RecordBatch> {
  const fields = [new Field('id', new Int64(), false, new Map([[FIELD_ID_KEY, '1']])), new Field('payload', new Utf8(), true, new Map([[FIELD_ID_KEY, '2']]))];
  const s = new Schema(fields);
  for (let start = 0; start < rows; start += 50_000) {
    const length = Math.min(50_000, rows - start);
    const ids = Array.from({ length }, (_, i) => BigInt(start + i));
    // Text that compresses poorly, so the file is several MB.
    const payload = ids.map((id) => `${id.toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`);
    const children = [vectorFromArray(ids, new Int64()).data[0]!, vectorFromArray(payload, new Utf8()).data[0]!];
    yield new RecordBatch(s, makeData({ type: new Struct(s.fields), length, nullCount: 0, children }));
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('rewrite-threads-'));
  // The pools' scratch directories go under os.tmpdir(): a directory of this test's own, to count them.
  scratchRoot = path.join(dir, 'tmp');
  await import('node:fs/promises').then((fs) => fs.mkdir(scratchRoot));
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = scratchRoot;
  await writeParquet(path.join(dir, 'big.parquet'), batches(ROWS));
  await writeParquet(path.join(dir, 'small.parquet'), batches(1000));
  cat = await startInProcess();
}, 120_000);

afterAll(async () => {
  await cat?.close();
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  cleanup();
});

describe('Parquet rewrites in worker threads', () => {
  it('runs in the default build: rewriteThreads is 1 and the entry module is built', () => {
    expect(rewriteThreadEntry()).toBeDefined();
    expect(cat.lakegate.rewriteThreads).toBeDefined();
  });

  it('answers what the in-process rewriter answers, its stats and its CatalogError', async () => {
    const { threads, rewriter, policies } = pool();
    try {
      const threaded = await rewriter.rewrite(request('small.parquet'));
      // The thread lowered its niceness and was put under SCHED_IDLE (Linux: threads are tasks of /proc); a first job
      // slower than 2 s (the thread's start and WebAssembly compile on a busy machine) raises it back to niceness 10.
      if (process.platform === 'linux') expect(policies[0]).toBe('idle');
      const local = await parquetRewriter(storage).rewrite(request('small.parquet'));
      expect(threads.threadIds).toHaveLength(1);
      expect({ ...threaded, uri: '' }).toEqual({ ...local, uri: '' });
      expect(threaded.recordCount).toBe(1000);
      const refusal = await rewriter.rewrite(request('small.parquet', 'x.parquet', 'avro')).catch((e: unknown) => e);
      const localRefusal = await parquetRewriter(storage)
        .rewrite(request('small.parquet', 'y.parquet', 'avro'))
        .catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(CatalogError);
      expect((refusal as CatalogError).code).toBe('ERR_UNPROCESSABLE');
      expect((refusal as CatalogError).message).toBe((localRefusal as CatalogError).message.replace('y.parquet', 'x.parquet'));
      await scratchRemoved();
    } finally {
      await threads.close();
    }
  });

  it("applies a deletion vector in the thread as in-process, read from its Puffin file's byte range", async () => {
    const dv = Buffer.from(
      (
        JSON.parse(readFileSync(new URL('../../packages/server/test-fixtures/deletion-vectors/java-1.11.0.json', import.meta.url), 'utf8')) as Record<
          string,
          string
        >
      ).sparse!,
      'hex',
    );
    writeFileSync(path.join(dir, 'dv.puffin'), Buffer.concat([Buffer.from('PFA1'), dv, dv, Buffer.from('PFA1')]));
    const withDv = (output: string, contentOffset = 4 + dv.length): RewriteRequest => {
      const r = request('small.parquet', output);
      const deletes = [
        {
          uri: at('dv.puffin'),
          content: 1 as const,
          format: 'puffin',
          referencedDataFile: at('small.parquet'),
          contentOffset,
          contentSizeInBytes: dv.length,
          recordCount: 7,
        },
      ];
      return { ...r, inputs: [{ ...r.inputs[0]!, deletes }] };
    };
    const { threads, rewriter } = pool();
    try {
      const threaded = await rewriter.rewrite(withDv('dv-thread.parquet'));
      const local = await parquetRewriter(storage).rewrite(withDv('dv-local.parquet'));
      // The sparse vector deletes positions 0, 1, 2 and 5 of these 1000 rows (its others lie past them).
      expect(threaded.recordCount).toBe(996);
      expect({ ...threaded, uri: '' }).toEqual({ ...local, uri: '' });
      const past = await rewriter.rewrite(withDv('dv-past.parquet', 4 + 2 * dv.length)).catch((e: unknown) => e);
      expect(past).toMatchObject({ code: 'ERR_UNPROCESSABLE', message: expect.stringMatching(/dv\.puffin.*past the end/) });
    } finally {
      await threads.close();
    }
  });

  it('keeps answering requests while a multi-MB rewrite runs, its event loop mostly idle', async () => {
    const { threads, rewriter } = pool();
    try {
      await rewriter.rewrite(request('small.parquet')); // the thread started and its WebAssembly compiled
      const before = performance.eventLoopUtilization();
      let finished = false;
      // The big file five times over: one output of 5 × ROWS rows (about 1.7 s on a quiet 2-core VM).
      const big = request('big.parquet');
      const rewrite = rewriter.rewrite({ ...big, inputs: Array.from({ length: 5 }, () => big.inputs[0]!) }).then((out) => {
        finished = true;
        return out;
      });
      // The event loop alone over a quiet stretch of the rewrite, then requests.
      await sleep(200);
      const idle = performance.eventLoopUtilization(before);
      expect(finished).toBe(false);
      // A request every 2 ms (a client's pace, not a busy loop that would starve the thread on a shared machine).
      let answeredBefore = 0;
      while (!finished) {
        const res = await cat.lakegate.app.inject({ method: 'GET', url: '/healthz' });
        expect(res.statusCode).toBe(200);
        if (!finished) answeredBefore++;
        await sleep(2);
      }
      const out = await rewrite;
      expect(out.recordCount).toBe(5 * ROWS);
      expect(out.fileSizeInBytes).toBeGreaterThan(4 * 1024 * 1024);
      // Requests kept being answered while the rewrite ran (the request thread's progress).
      expect(answeredBefore).toBeGreaterThan(10);
      // On the request thread, a row group's decode and encode would keep the loop busy (utilization near 1; with
      // rewriteThreads 0 this assertion fails).
      expect(idle.utilization).toBeLessThan(0.5);
    } finally {
      await threads.close();
    }
  }, 120_000);

  it('fails the job of a thread that dies, with ERR_UNAVAILABLE, and gives the next job a new thread', async () => {
    // The real entry, which exits (code 7) on a job whose output says "crash": a thread dying mid-job.
    const crashing = path.join(dir, 'crashing-entry.mjs');
    writeFileSync(
      crashing,
      `import { parentPort } from 'node:worker_threads';\n` +
        `parentPort.on('message', (m) => { if (m.type === 'job' && m.request.output.includes('crash')) process.exit(7); });\n` +
        `await import(${JSON.stringify(rewriteThreadEntry()!.href)});\n`,
    );
    const { threads, rewriter, warnings } = pool(pathToFileURL(crashing));
    try {
      await rewriter.rewrite(request('small.parquet'));
      const first = threads.threadIds[0];
      const failed = await rewriter.rewrite(request('small.parquet', 'crash.parquet')).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(CatalogError);
      expect((failed as CatalogError).code).toBe('ERR_UNAVAILABLE');
      expect((failed as CatalogError).message).toMatch(/exit code 7/);
      expect(warnings.some((w) => w.includes('ended during a rewrite'))).toBe(true);
      expect(existsSync(path.join(dir, 'crash.parquet'))).toBe(false);
      const next = await rewriter.rewrite(request('small.parquet'));
      expect(next.recordCount).toBe(1000);
      expect(threads.threadIds).toHaveLength(1);
      expect(threads.threadIds[0]).not.toBe(first);
      await scratchRemoved();
    } finally {
      await threads.close();
    }
  });

  it("stops a running job on its caller's abort: thread replaced, nothing published, scratch removed", async () => {
    const { threads, rewriter } = pool();
    try {
      await rewriter.rewrite(request('small.parquet'));
      const first = threads.threadIds[0];
      const controller = new AbortController();
      const reason = new Error('lease lost');
      const running = rewriter.rewrite({ ...request('big.parquet', 'aborted.parquet'), signal: controller.signal }).catch((e: unknown) => e);
      // Running once its thread has it (not after a fixed time: a loaded machine starts threads slowly).
      await waitFor(
        'the big rewrite to run',
        () => threads.load,
        (l) => l.running === 1,
      );
      expect(threads.load).toEqual({ queued: 0, running: 1 });
      controller.abort(reason);
      expect(await running).toBe(reason);
      expect(threads.threadIds).toEqual([]);
      // Its scratch goes once the terminated thread has ended (later than the answer on a loaded machine).
      await scratchRemoved();
      expect(existsSync(path.join(dir, 'aborted.parquet'))).toBe(false);
      // A waiting job leaves the queue; an aborted signal is refused before any work.
      const already = AbortSignal.abort(reason);
      expect(await rewriter.rewrite({ ...request('small.parquet'), signal: already }).catch((e: unknown) => e)).toBe(reason);
      const next = await rewriter.rewrite(request('small.parquet'));
      expect(next.recordCount).toBe(1000);
      expect(threads.threadIds[0]).not.toBe(first);
    } finally {
      await threads.close();
    }
  }, 60_000);

  it('fails running and waiting jobs at close, and refuses new ones', async () => {
    const { threads, rewriter } = pool();
    const running = rewriter.rewrite(request('big.parquet', 'closed-1.parquet')).catch((e: unknown) => e);
    const waiting = rewriter.rewrite(request('small.parquet', 'closed-2.parquet')).catch((e: unknown) => e);
    await waitFor(
      'one rewrite running and one waiting',
      () => threads.load,
      (l) => l.running === 1 && l.queued === 1,
    );
    expect(threads.load).toEqual({ queued: 1, running: 1 });
    await threads.close();
    for (const failed of [await running, await waiting]) {
      expect(failed).toBeInstanceOf(CatalogError);
      expect((failed as CatalogError).code).toBe('ERR_UNAVAILABLE');
    }
    expect(threads.threadIds).toEqual([]);
    const after = await rewriter.rewrite(request('small.parquet')).catch((e: unknown) => e);
    expect((after as CatalogError).code).toBe('ERR_UNAVAILABLE');
    await scratchRemoved();
  }, 60_000);
});

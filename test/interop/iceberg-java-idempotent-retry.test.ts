/**
 * Issue 42: a real Iceberg Java 1.11 client whose commit is duplicated while the first attempt is still running ends
 * with exactly one new snapshot: the duplicate waits for the first attempt and is answered with its outcome
 * (http/plugins/idempotency.ts), not applied again.
 *
 * How the duplicate is made: Lakegate runs in-process and listens on a loopback port; the first commit is applied,
 * then held in the table service for a few seconds before it answers (a spy on services.tables.commit, which runs
 * after the Idempotency-Key claim, so the claim is in flight). A node:http proxy in front of it forwards every request; the first commit it forwards it answers itself
 * with 503 and `Retry-After: 0` a moment later, dropping Lakegate's eventual answer. Iceberg Java 1.11 retries a 503
 * carrying Retry-After for any method (ExponentialHttpRequestRetryStrategy.retryRequest, is503Retryable; after
 * about 1 s, as Retry-After 0 is not positive) by re-sending the same request, so with the same Idempotency-Key
 * (RESTSessionCatalog sends one per mutation once /v1/config advertises idempotency-key-lifetime). A dropped
 * connection would not do: for an IOException the strategy retries idempotent methods only, and a commit is a POST.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { icebergJavaLib } from '../support/peers.js';
import { REPO_ROOT } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const PROGRAM = path.join(REPO_ROOT, 'test', 'interop', 'java', 'DuplicateCommit.java');
const JAVA = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
const NS = 'java_idem';
const COMMIT_PATH = `/v1/default/namespaces/${NS}/tables/appended`;
/** How long the first commit is held inside the service: longer than the proxy's 503 plus the client's ~1 s backoff. */
const HOLD_MS = 5_000;

let lib: string;
let cat: TestCatalog;
let proxy: http.Server;
let upstream: string;
let proxyUrl: string;
/** Every commit the proxy saw: its Idempotency-Key, and what the client got. */
/** STRIP_IDEMPOTENCY_KEY=1 (by hand only): the proxy drops the key, to see the same run end with two snapshots. */
const strip = process.env.STRIP_IDEMPOTENCY_KEY === '1';
const commits: Array<{ key: string | undefined; answered: number; replayed: string | undefined }> = [];

function forward(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const { 'idempotency-key': key, ...rest } = req.headers;
    const headers = { ...rest, ...(strip || key === undefined ? {} : { 'idempotency-key': key }), host: new URL(upstream).host };
    const out = http.request(`${upstream}${req.url}`, { method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    out.on('error', reject);
    out.end(body);
  });
}

beforeAll(async () => {
  lib = icebergJavaLib();
  cat = await startInProcess();
  await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  upstream = `http://127.0.0.1:${(cat.lakegate.app.server.address() as AddressInfo).port}`;
  // The first commit is held after its claim (the claim is the route's preHandler; the service runs after it).
  const tables = cat.lakegate.services.tables;
  const commit = tables.commit.bind(tables);
  let held = false;
  vi.spyOn(tables, 'commit').mockImplementation(async (...args: Parameters<typeof commit>) => {
    const result = await commit(...args);
    if (!held) {
      // Applied (the snapshot is in the catalog), but not answered yet: the hazard. A retry applied again, or a 409
      // that makes the client refresh and re-apply its append on the new base, would add a second snapshot.
      held = true;
      await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    }
    return result;
  });
  let answeredFirst = false;
  proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isCommit = req.method === 'POST' && req.url?.split('?')[0] === COMMIT_PATH;
      const key = req.headers['idempotency-key'] as string | undefined;
      const sent = forward(req, body);
      if (isCommit && !answeredFirst) {
        answeredFirst = true;
        // Forwarded, and answered 503 while Lakegate still applies it; Lakegate's own answer is dropped.
        sent.catch(() => undefined);
        setTimeout(() => {
          commits.push({ key, answered: 503, replayed: undefined });
          res.writeHead(503, { 'retry-after': '0', 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'proxy: try again', type: 'ServiceUnavailableException', code: 503 } }));
        }, 300);
        return;
      }
      sent.then(
        (r) => {
          if (isCommit) commits.push({ key, answered: r.status, replayed: r.headers['idempotent-replayed'] as string | undefined });
          const { 'transfer-encoding': _te, connection: _c, ...headers } = r.headers;
          res.writeHead(r.status, headers);
          res.end(r.body);
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 180_000);
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await cat?.close();
});

it('ends with exactly one snapshot when Iceberg Java 1.11 re-sends a commit that is still in flight', async () => {
  const run = await runAsync(JAVA, ['-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-cp', `${lib}/*`, PROGRAM], {
    env: { ...process.env, LAKEGATE_URI: proxyUrl, LAKEGATE_NAMESPACE: NS },
    timeoutMs: 240_000,
  });
  const lines = run.stdout
    .trim()
    .split('\n')
    .filter((l) => /^(ok|failed) /.test(l));
  expect(lines, run.stdout + run.stderr).toEqual(['ok created', 'ok appended', 'ok snapshots=1']);
  expect(run.status).toBe(0);
  // Two attempts of one commit, with one key: the 503 the proxy made, then the retry, answered 200 with the first
  // attempt's outcome while that attempt was still running (from the note its transaction left on the claim: nothing
  // applied again, so no idempotent-replayed header). Without the key (STRIP_IDEMPOTENCY_KEY=1, by hand) the retry
  // is applied as a new commit and refused 409 (its base is stale); Java then refreshes, finds its own snapshot id
  // already current (SnapshotProducer.commit reuses the id and commits nothing when the metadata has no change) and
  // also ends with one snapshot: for a single append, Java 1.11 is safe either way; the key spares the 409 and the
  // refresh, and protects what Java's check does not (transactions, and updates other than snapshot producers).
  expect(commits).toHaveLength(2);
  expect(commits[0]!.key).toMatch(/^[0-9a-f-]{36}$/i);
  expect(commits[1]).toMatchObject({ key: commits[0]!.key, answered: 200 });
  // And the catalog holds one snapshot.
  const loaded = await cat.lakegate.app.inject({ method: 'GET', url: `/v1/default/namespaces/${NS}/tables/appended` });
  expect(loaded.json().metadata.snapshots).toHaveLength(1);
});

/**
 * Faults: two `lakegate serve` processes on one PostgreSQL (Debian's, started by the suite), 32 writers committing
 * appends with an Idempotency-Key each and retrying (same key, same body) on connection errors and 503s, alternating
 * between the processes. Every few seconds one process is killed with SIGKILL and started again on its port, and
 * PostgreSQL itself is restarted once mid-run. Afterwards every acknowledged commit is in its table's history exactly
 * once and in order, nothing else is, every table is at a whole metadata version whose file is there, and the
 * writers saw only retryable failures.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../../packages/server/src/catalog/json.js';
import { appendUpdates, simpleSchema } from '../support/iceberg-http.js';
import { peerScript, type Postgres, startPostgres } from '../support/peers.js';
import { clientToken, type ServerProcess, startServer } from '../support/server-process.js';
import { freePort, tempDir } from '../support/temp.js';

const WRITERS = 32;
const RUN_MS = 30_000;
const KILL_EVERY_MS = 4_000;
const MIN_KILLS = 4;
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pgDir = tempDir('lakegate-pg-faults-');
const shared = tempDir('lakegate-faults-');
let pg: Postgres;
let pgPort: number;
let database: string;
const ports: number[] = [];
const servers: ServerProcess[] = [];
let token: string;

const serverOptions = (port: number) => ({
  database,
  port,
  env: {
    LAKEGATE_WAREHOUSE_ROOT: `${shared.dir}/warehouse`,
    LAKEGATE_LOG_LEVEL: 'warn',
    LAKEGATE_PUBLIC_URL: 'http://catalog.lakegate.test',
    LAKEGATE_SECRET_KEY: 'f'.repeat(43) + '=',
  },
});

beforeAll(async () => {
  pgPort = await freePort();
  pg = startPostgres(`${pgDir.dir}/cluster`, pgPort);
  database = pg.createDatabase('faults');
  for (let i = 0; i < 2; i += 1) {
    ports.push(await freePort());
    servers.push(await startServer(serverOptions(ports[i]!)));
  }
  token = await clientToken(servers[0]!.url, servers[0]!.credential || servers[1]!.credential);
  const res = await post(0, '/v1/default/namespaces', { namespace: ['faults'] });
  expect(res.status).toBe(200);
  for (let w = 0; w < WRITERS; w += 1)
    expect((await post(0, '/v1/default/namespaces/faults/tables', { name: `t${w}`, schema: simpleSchema })).status).toBe(200);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  pg?.stop();
  pgDir.cleanup();
  shared.cleanup();
});

async function post(server: number, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${servers[server]!.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: stringifyJson(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? parseJson(text) : undefined };
}

/** What a writer saw besides acknowledgements: a kind per failure. */
type Failure = 'connection' | '503' | 'in-progress' | `other ${number}: ${string}`;

async function writer(w: number, load: { going: boolean }, failures: Failure[]): Promise<bigint[]> {
  const acknowledged: bigint[] = [];
  let metadata = (
    await fetch(`${servers[w % 2]!.url}/v1/default/namespaces/faults/tables/t${w}`, { headers: { authorization: `Bearer ${token}` } }).then(
      async (r) => parseJson(await r.text()) as any,
    )
  ).metadata;
  for (let op = 0; load.going; op += 1) {
    const append = appendUpdates(metadata);
    const key = randomUUID();
    for (let attempt = 0; ; attempt += 1) {
      const target = (w + op + attempt) % 2;
      let res: { status: number; body: any };
      try {
        res = await post(
          target,
          `/v1/default/namespaces/faults/tables/t${w}`,
          { requirements: append.requirements, updates: append.updates },
          { 'idempotency-key': key },
        );
      } catch {
        failures.push('connection');
        await sleep(100 + Math.random() * 200);
        continue;
      }
      if (res.status === 200) {
        acknowledged.push(append.snapshotId);
        metadata = res.body.metadata;
        break;
      }
      if (res.status === 503) failures.push('503');
      else if (res.status === 409 && /in progress/.test(res.body?.error?.message ?? '')) failures.push('in-progress');
      else failures.push(`other ${res.status}: ${JSON.stringify(res.body?.error ?? res.body).slice(0, 200)}`);
      await sleep(200 + Math.random() * 300);
    }
  }
  return acknowledged;
}

describe('faults: SIGKILLed servers and a PostgreSQL restart under 32 idempotent writers', () => {
  it('keeps every acknowledged commit exactly once, whole metadata versions, and only retryable failures', async () => {
    const started = Date.now();
    const until = started + RUN_MS;
    const failures: Failure[] = [];
    // The writers run until the chaos below is done and RUN_MS has passed, whichever is later.
    const load = { going: true };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w, load, failures));

    let kills = 0;
    let pgRestarted = false;
    const chaos = (async () => {
      try {
        // At least MIN_KILLS rounds however long restarts take on the machine (a slow one fitted only 3 into RUN_MS).
        for (let round = 0; round < MIN_KILLS || Date.now() < until - KILL_EVERY_MS; round += 1) {
          await sleep(KILL_EVERY_MS * (0.5 + Math.random()));
          const victim = round % 2;
          await servers[victim]!.stop('SIGKILL');
          kills += 1;
          if (!pgRestarted && (Date.now() > until - RUN_MS / 2 || round === MIN_KILLS - 1)) {
            // PostgreSQL goes away under the surviving process, then comes back on its port and data directory.
            await run('bash', [peerScript('postgres.sh'), 'stop', `${pgDir.dir}/cluster`]);
            await sleep(1_000);
            await run('bash', [peerScript('postgres.sh'), 'start', `${pgDir.dir}/cluster`, String(pgPort)]);
            pgRestarted = true;
          }
          await sleep(500);
          servers[victim] = await startServer(serverOptions(ports[victim]!));
        }
        // Both servers up again: some commits under steady load before the writers stop.
        await sleep(Math.max(KILL_EVERY_MS / 2, until - Date.now()));
      } finally {
        load.going = false;
      }
    })();

    const acknowledged = await Promise.all(writers);
    await chaos;
    const kinds = failures.reduce<Record<string, number>>(
      (n, f) => ({ ...n, [f.startsWith('other') ? 'other' : f]: (n[f.startsWith('other') ? 'other' : f] ?? 0) + 1 }),
      {},
    );
    console.log(
      `faults: ${acknowledged.flat().length} commits acknowledged by ${WRITERS} writers in ${Math.round((Date.now() - started) / 1000)} s, ${kills} SIGKILLs, PostgreSQL restarted once; retried failures ${JSON.stringify(kinds)}`,
    );
    // The chaos loop makes at least MIN_KILLS rounds by construction; what must be shown is that they hit the writers:
    // commits sent to a killed process failed as lost connections and were retried.
    expect(kinds.connection ?? 0).toBeGreaterThan(0);
    expect(pgRestarted).toBe(true);
    // Only retryable failures: lost connections (a killed process), 503 (PostgreSQL away), a claim still in progress.
    expect(failures.filter((f) => f.startsWith('other'))).toEqual([]);
    expect(failures.length).toBeGreaterThan(0);
    expect(acknowledged.flat().length).toBeGreaterThan(WRITERS * 5);

    for (let w = 0; w < WRITERS; w += 1) {
      const res = await fetch(`${servers[w % 2]!.url}/v1/default/namespaces/faults/tables/t${w}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const loaded = parseJson(await res.text()) as any;
      const snapshots = (loaded.metadata.snapshots ?? []) as Array<{ 'snapshot-id': bigint; 'parent-snapshot-id'?: bigint }>;
      // Exactly the acknowledged commits, each once, in the order they were acknowledged, as one chain.
      expect(snapshots.map((s) => String(s['snapshot-id']))).toEqual(acknowledged[w]!.map(String));
      snapshots.forEach((s, i) =>
        expect(s['parent-snapshot-id'] === undefined ? undefined : String(s['parent-snapshot-id'])).toBe(
          i === 0 ? undefined : String(snapshots[i - 1]!['snapshot-id']),
        ),
      );
      expect(String(loaded.metadata['current-snapshot-id'])).toBe(String(acknowledged[w]!.at(-1)));
      // A whole metadata version: the file the catalog points at is there.
      expect(existsSync(fileURLToPath(loaded['metadata-location']))).toBe(true);
    }
  });
});

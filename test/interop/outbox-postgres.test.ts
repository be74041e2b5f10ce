/**
 * The event outbox on PostgreSQL (Debian's postgresql package, started by this file on 127.0.0.1): the outbox store
 * contract; a second transaction of a warehouse waits on the first one's counter row, so sequences follow commit
 * order; and two `lakegate serve` replicas on one database delivering to a webhook receiver while 8 writers commit,
 * with the replica holding the delivery lease SIGKILLed midway: afterwards every acknowledged commit has exactly one
 * event id at the receiver (retries only repeat an id), none is missing, and each table's events are in commit order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pgDriver from 'pg';
import { LakegateManagement } from '@lakegate/client';
import { ev, outboxContract, storeHandle } from '../persistence/outbox-contract.js';
import { appendUpdates, httpSender, simpleSchema } from '../support/iceberg-http.js';
import { expectAppendWaitsForCommit } from '../support/commit-order.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { clientToken, type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';
import { firstOfEach, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const cluster = usePostgresCluster('lakegate-pg-outbox-');

outboxContract('PostgreSQL', async () => storeHandle(await cluster.migratedStore('outbox')));

describe('sequences on PostgreSQL', () => {
  it('makes a second writer of a warehouse wait for the first to commit, so sequence order is commit order', async () => {
    const store = await cluster.migratedStore('outbox_order');
    try {
      const first = ev('w');
      const second = ev('w');
      await expectAppendWaitsForCommit(
        (held) =>
          store.transaction(async (repo) => {
            await repo.appendEvents([first]);
            await held;
          }),
        (appended) =>
          store.transaction(async (repo) => {
            await repo.appendEvents([second]);
            appended();
          }),
      );
      expect((await store.outbox.list('w', 0, 10)).map((e) => [e.sequence, e.id])).toEqual([
        [1, first.id],
        [2, second.id],
      ]);
      // Another warehouse does not wait for it.
      await store.transaction(async (repo) => repo.appendEvents([ev('other')]));
    } finally {
      await store.close();
    }
  });
});

describe('two replicas, one SIGKILLed while 8 writers commit', () => {
  let a: ServerProcess;
  let b: ServerProcess;
  let receiver: WebhookReceiver;
  let dbUrl: string;
  const shared = tempDir('lakegate-outbox-shared-');
  const env = {
    LAKEGATE_WAREHOUSE_ROOT: `${shared.dir}/warehouse`,
    LAKEGATE_LOG_LEVEL: 'warn',
    LAKEGATE_PUBLIC_URL: 'http://catalog.lakegate.test',
    LAKEGATE_SECRET_KEY: 'e'.repeat(43) + '=',
    LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50',
    LAKEGATE_EVENT_LEASE_SECONDS: '2',
    LAKEGATE_EVENT_SINK_MAX_BACKOFF_SECONDS: '1',
  };

  beforeAll(async () => {
    dbUrl = cluster.database('outbox_replicas');
    receiver = await startWebhookReceiver();
    [a, b] = await Promise.all([startServer({ database: dbUrl, env }), startServer({ database: dbUrl, env })]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await receiver?.close();
    shared.cleanup();
  });

  it(
    'delivers every acknowledged commit exactly once by id, none missing, each table in commit order',
    async () => {
      const credential = a.credential || b.credential;
      const management = new LakegateManagement({ uri: a.url, properties: { credential } });
      const token = await clientToken(a.url, credential);
      const senders = [httpSender(a.url, token), httpSender(b.url, token)];
      expect((await senders[0]!('POST', '/v1/default/namespaces', { namespace: ['load'] })).status).toBe(200);
      const created = await management.createEventSink('default', { kind: 'webhook', config: { url: receiver.url, 'timeout-ms': 2_000 }, from: 'beginning' });
      receiver.secret = created.secret;
      const tables = Array.from({ length: 8 }, (_, i) => `t${i}`);
      for (const t of tables) expect((await senders[1]!('POST', '/v1/default/namespaces/load/tables', { name: t, schema: simpleSchema })).status).toBe(200);

      // The replica holding the delivery lease, by the pid in the lease row.
      const client = new pgDriver.Client({ connectionString: dbUrl });
      await client.connect();
      const holderPid = async () => {
        const row = (await client.query("select holder from event_leases where name = 'event-delivery'")).rows[0] as { holder: string } | undefined;
        return row ? Number(row.holder.split(':')[1]) : undefined;
      };

      const acknowledged = new Map<string, bigint[]>(tables.map((t) => [t, []]));
      let killed: ServerProcess | undefined;
      const alive = () => [a, b].filter((s) => s !== killed).map((s) => senders[s === a ? 0 : 1]!);
      const COMMITS = 12;
      let atKill = { acknowledged: 0, received: 0 };
      const writer = async (table: string, w: number) => {
        // At least COMMITS each, and on until two more have landed after the kill: on a fast machine the writers would
        // otherwise be done before the lease holder is killed, and the kill would test nothing.
        let afterKill = 0;
        for (let i = 0; i < COMMITS || !killed || afterKill < 2; i += 1) {
          if (i > 400) throw new Error(`writer ${w}: no kill after ${i} commits`);
          if (killed) afterKill += 1;
          for (let attempt = 0; ; attempt += 1) {
            const live = alive();
            const send = live[(w + i + attempt) % live.length]!;
            try {
              const base = (await send('GET', `/v1/default/namespaces/load/tables/${table}`)).body.metadata;
              const c = appendUpdates(base);
              const res = await send('POST', `/v1/default/namespaces/load/tables/${table}`, { requirements: c.requirements, updates: c.updates });
              if (res.status === 200) {
                acknowledged.get(table)!.push(c.snapshotId);
                break;
              }
            } catch {
              // The replica died under the request: not acknowledged (it may or may not have landed); retry on a fresh base.
            }
            if (attempt > 20) throw new Error(`writer ${w} could not commit`);
          }
        }
      };
      const killer = (async () => {
        // Kill the lease holder once it has delivered something (the lease row names it): not after a fixed time, which a
        // fast or a slow machine can miss either way.
        let pid: number | undefined;
        for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25))) {
          pid = await holderPid();
          if (pid !== undefined && receiver.accepted.length > 0 && [a, b].some((s) => s.process.pid === pid)) break;
        }
        killed = [a, b].find((s) => s.process.pid === pid);
        expect(killed, `lease holder pid ${pid}`).toBeDefined();
        killed!.process.kill('SIGKILL');
        atKill = { acknowledged: [...acknowledged.values()].flat().length, received: receiver.accepted.length };
      })();
      await Promise.all([...tables.map((t, w) => writer(t, w)), killer]);
      expect(killed!.process.signalCode ?? (await new Promise((r) => killed!.process.once('exit', (_c, s) => r(s))))).toBe('SIGKILL');
      const survivor = killed === a ? b : a;
      // Killed mid-run: the holder had delivered some events, and the writers had commits still to make.
      expect(atKill.received).toBeGreaterThan(0);
      expect(atKill.acknowledged).toBeLessThan([...acknowledged.values()].flat().length);

      // Every acknowledged commit at the receiver, delivered by the survivor once the dead holder's lease expired.
      const wanted = [...acknowledged.values()].flat().map(String);
      const snapshotOf = (e: any) => (e.type === 'io.lakegate.table.committed' ? String(e.data.snapshots[0]['snapshot-id']) : undefined);
      const end = Date.now() + 60_000;
      for (;;) {
        const seen = new Set(firstOfEach(receiver.accepted).map((r) => snapshotOf(r.body)));
        if (wanted.every((s) => seen.has(s))) break;
        if (Date.now() > end) throw new Error(`missing at the receiver: ${wanted.filter((s) => !seen.has(s)).length} of ${wanted.length}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(await holderPid()).toBe(survivor.process.pid);
      await client.end();

      // Duplicates only as the same id with the same body.
      const byId = new Map<string, string>();
      for (const r of receiver.accepted) {
        const body = JSON.stringify(r.body, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
        if (byId.has(r.id)) expect(body).toBe(byId.get(r.id));
        byId.set(r.id, body);
      }
      const received = firstOfEach(receiver.accepted).map((r) => r.body);
      // Exactly one event id per acknowledged commit.
      const idsBySnapshot = new Map<string, Set<string>>();
      for (const e of received) {
        const s = snapshotOf(e);
        if (s) idsBySnapshot.set(s, new Set([...(idsBySnapshot.get(s) ?? []), e.id]));
      }
      for (const s of wanted) expect(idsBySnapshot.get(s)?.size, s).toBe(1);
      // Each table's events in commit order: its acknowledged snapshots appear in the order they were acknowledged.
      const uuidOf = new Map<string, string>();
      for (const t of tables)
        uuidOf.set(t, (await httpSender(survivor.url, token)('GET', `/v1/default/namespaces/load/tables/${t}`)).body.metadata['table-uuid']);
      for (const t of tables) {
        const committed = received.filter((e) => e.partitionkey === uuidOf.get(t) && snapshotOf(e) !== undefined).map((e) => snapshotOf(e)!);
        const acked = acknowledged.get(t)!.map(String);
        expect(committed.filter((s) => acked.includes(s))).toEqual(acked);
        const sequences = received.filter((e) => e.partitionkey === uuidOf.get(t)).map((e) => BigInt(e.sequence));
        expect(sequences.every((s, i) => i === 0 || s > sequences[i - 1]!)).toBe(true);
      }
      // The whole warehouse in sequence order, without a gap (one sink delivers the warehouse's sequence in order).
      const sequences = received.map((e) => Number(e.sequence));
      expect(sequences).toEqual(sequences.map((_, i) => i + 1));
    },
    5 * 60_000,
  );
});

/**
 * No event lost under faults, all at once (issue 38): one PostgreSQL (Debian's package, scripts/peers/postgres.sh),
 * two `lakegate serve` replicas sharing it, and three sinks on one warehouse: the run's shared Kafka 4.4.0 broker
 * (test/support/kafka.ts, `shared`; a topic of this file's own, reached through its cuttable listener: a TCP proxy of
 * this file's own on the port the broker advertises for it, cutKafka()), a real nats-server 2.15.2 with JetStream,
 * and a webhook receiver (test/support/webhook-receiver.ts, verifying every signature). 16 writers commit Iceberg appends over plain HTTP to 8 tables (two writers per table, so they also
 * conflict and retry) through whichever replicas are alive, while:
 *  - the replica holding the delivery lease is SIGKILLed, a fresh one started in its place, three times;
 *  - Kafka is unreachable for 20 s (the proxy cut: every connection closed, new ones refused, as with a stopped
 *    broker; the broker itself, shared with other files, stays up) and reachable again;
 *  - the webhook receiver answers 500 for a stretch.
 * Afterwards, with the outbox (the pull API) as the truth and each table's snapshot chain as its commit order:
 * every acknowledged commit landed and has exactly one event; each sink holds every outbox event, none extra, a
 * repeated id only with an identical body; each table's events arrive in commit order. (The sink-side check is
 * test/support/sink-logs.ts.)
 */
import kafkajs from 'kafkajs';
import pgDriver from 'pg';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseJson } from '../../packages/server/src/catalog/json.js';
import { readKafka, readNats } from '../support/event-readers.js';
import { appendUpdates, httpSender, type Send, simpleSchema } from '../support/iceberg-http.js';
import { type CutKafka, cutKafka, type KafkaBroker, startKafka } from '../support/kafka.js';
import { type NatsServer, startNats } from '../support/nats.js';
import { type Postgres, startPostgres } from '../support/peers.js';
import { clientToken, type ServerProcess, startServer } from '../support/server-process.js';
import { canonical, duplicateCount, type PulledEvent, sinkFaults, snapshotChain, snapshotOf, type SinkRecordRead } from '../support/sink-logs.js';
import { freePort, tempDir } from '../support/temp.js';
import { firstOfEach, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const { Kafka, logLevel } = kafkajs;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const TOPIC = 'lakegate.faults';
const TABLES = Array.from({ length: 8 }, (_, i) => `t${i}`);
const WRITERS = 16;
const KILLS = 3;
const KAFKA_DOWN_MS = 20_000;
const WEBHOOK_DOWN_MS = 12_000;

const dirs = tempDir('lakegate-events-faults-');
let pg: Postgres;
let kafka: KafkaBroker;
/** The proxy the Kafka sink goes through (what the outage cuts). */
let link: CutKafka;
let nats: NatsServer;
let receiver: WebhookReceiver;
let dbUrl: string;
// Shared by every replica: one warehouse root, one public URL (events' `source`), one key for tokens and secrets.
// Lease 3 s: a killed holder stops delivery for at most that long. Backoff capped at 1 s: sinks retry soon after a fault.
const env = {
  LAKEGATE_WAREHOUSE_ROOT: `${dirs.dir}/warehouse`,
  LAKEGATE_LOG_LEVEL: 'warn',
  LAKEGATE_PUBLIC_URL: 'http://catalog.lakegate.test',
  LAKEGATE_SECRET_KEY: 'f'.repeat(43) + '=',
  LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50',
  LAKEGATE_EVENT_LEASE_SECONDS: '3',
  LAKEGATE_EVENT_SINK_MAX_BACKOFF_SECONDS: '1',
};
const replicas: ServerProcess[] = [];
const stopped: ServerProcess[] = [];

beforeAll(async () => {
  // PostgreSQL's script runs synchronously: start the brokers first, so that they come up meanwhile.
  const peers = Promise.all([startKafka({ shared: true }), startNats(), startWebhookReceiver()]);
  pg = startPostgres(`${dirs.dir}/pg`, await freePort());
  [kafka, nats, receiver] = await peers;
  link = await cutKafka(kafka);
  const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  dbUrl = pg.createDatabase('events_faults');
  replicas.push(...(await Promise.all([startServer({ database: dbUrl, env }), startServer({ database: dbUrl, env })])));
}, 30 * 60_000);

afterAll(async () => {
  await Promise.all([...replicas, ...stopped].map((s) => s.stop().catch(() => undefined)));
  await Promise.all([link?.close(), kafka?.destroy(), nats?.destroy(), receiver?.close()]);
  pg?.stop();
  dirs.cleanup();
});

it(
  '16 writers, the lease holder SIGKILLed 3 times, Kafka unreachable 20 s, the webhook answering 500: every sink gets every event once by id, in per-table commit order',
  async () => {
    const credential = replicas.map((r) => r.credential).find(Boolean)!;
    const token = await clientToken(replicas[0]!.url, credential);
    const sendOf = new Map<ServerProcess, Send>(replicas.map((r) => [r, httpSender(r.url, token)]));
    const any = () => sendOf.get(replicas[0]!)!;
    const management = async (method: string, p: string, body?: unknown) => any()(method, `/management/v1${p}`, body);

    expect((await any()('POST', '/v1/default/namespaces', { namespace: ['faults'] })).status).toBe(200);
    for (const t of TABLES) expect((await any()('POST', '/v1/default/namespaces/faults/tables', { name: t, schema: simpleSchema })).status).toBe(200);
    const webhook = await management('POST', '/warehouses/default/event-sinks', {
      kind: 'webhook',
      config: { url: receiver.url, 'timeout-ms': 1_000 },
      from: 'beginning',
    });
    expect(webhook.status, JSON.stringify(webhook.body)).toBe(201);
    receiver.secret = webhook.body.secret;
    for (const sink of [
      { kind: 'kafka', config: { brokers: [link.bootstrap], topic: TOPIC, 'client-id': 'lakegate-faults', 'timeout-ms': 2_000 } },
      { kind: 'nats', config: { servers: [nats.url], stream: 'FAULTS', subject: 'faults.events', 'timeout-ms': 2_000 } },
    ]) {
      const res = await management('POST', '/warehouses/default/event-sinks', { ...sink, from: 'beginning' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }

    // The replica holding the delivery lease, by the pid in the lease row.
    const db = new pgDriver.Client({ connectionString: dbUrl });
    db.on('error', () => undefined);
    await db.connect();
    const holderPid = async () => {
      const row = (await db.query("select holder from event_leases where name = 'event-delivery'")).rows[0] as { holder: string } | undefined;
      return row ? Number(row.holder.split(':')[1]) : undefined;
    };

    // --- the writers ---------------------------------------------------------------------------------------------------
    const acknowledged = new Map<string, string[]>(TABLES.map((t) => [t, []]));
    let writing = true;
    let conflicts = 0;
    let lostRequests = 0;
    const writer = async (w: number) => {
      const table = TABLES[w % TABLES.length]!;
      for (let i = 0; writing; i += 1) {
        const failures: string[] = [];
        const giveUp = Date.now() + 60_000;
        for (let attempt = 0; ; attempt += 1) {
          if (Date.now() > giveUp) throw new Error(`writer ${w} could not commit in 60 s: ${failures.slice(-3).join('; ')}`);
          // Back off with jitter after a conflict or a lost request, as a real client does (the other writer of the
          // table would otherwise win every race).
          if (attempt > 0) await sleep(Math.random() * 40 * Math.min(attempt, 8));
          const live = replicas.filter((r) => r.process.exitCode === null && r.process.signalCode === null);
          const send = sendOf.get(live[(w + i + attempt) % live.length]!)!;
          try {
            const base = await send('GET', `/v1/default/namespaces/faults/tables/${table}`);
            if (base.status !== 200) throw new Error(`load ${base.status}`);
            const c = appendUpdates(base.body.metadata);
            const res = await send('POST', `/v1/default/namespaces/faults/tables/${table}`, { requirements: c.requirements, updates: c.updates });
            if (res.status === 200) {
              acknowledged.get(table)!.push(String(c.snapshotId));
              break;
            }
            expect(res.status, JSON.stringify(res.body)).toBe(409);
            conflicts += 1;
            failures.push(`409 ${JSON.stringify(res.body).slice(0, 200)}`);
          } catch (e) {
            // The replica died under the request: not acknowledged (it may or may not have landed); retry on a fresh base.
            if ((e as { name?: string }).name === 'AssertionError') throw e;
            failures.push(String((e as Error).message ?? e) + String((e as { cause?: Error }).cause?.message ?? ''));
            lostRequests += 1;
          }
        }
      }
    };

    // --- the faults ----------------------------------------------------------------------------------------------------
    const kills: Array<{ pid: number; holder: boolean; acknowledgedBefore: number }> = [];
    const ackCount = () => [...acknowledged.values()].reduce((n, l) => n + l.length, 0);
    const killer = async () => {
      for (let k = 0; k < KILLS; k += 1) {
        // Kill once the writers have made progress since the last restart, and the holder has delivered something.
        const from = ackCount();
        for (const deadline = Date.now() + 30_000; Date.now() < deadline && (ackCount() < from + 40 || receiver.accepted.length + receiver.refused === 0);)
          await sleep(100);
        const pid = await holderPid();
        const victim = replicas.find((r) => r.process.pid === pid) ?? replicas[k % replicas.length]!;
        const exited = new Promise((r) => victim.process.once('exit', r));
        victim.process.kill('SIGKILL');
        await exited;
        expect(victim.process.signalCode).toBe('SIGKILL');
        kills.push({ pid: victim.process.pid!, holder: victim.process.pid === pid, acknowledgedBefore: ackCount() });
        replicas.splice(replicas.indexOf(victim), 1);
        stopped.push(victim);
        const fresh = await startServer({ database: dbUrl, env });
        sendOf.set(fresh, httpSender(fresh.url, token));
        replicas.push(fresh);
      }
    };
    const kafkaOutage = { stoppedAt: 0, startedAt: 0, acknowledgedDuring: 0, failuresSeen: 0 };
    const breakKafka = async () => {
      await sleep(4_000);
      await link.cut();
      kafkaOutage.stoppedAt = Date.now();
      const before = ackCount();
      // Meanwhile the Kafka sink's failures in a row, as any live replica lists them (one may die under the request).
      while (Date.now() < kafkaOutage.stoppedAt + KAFKA_DOWN_MS) {
        await sleep(Math.min(1_000, kafkaOutage.stoppedAt + KAFKA_DOWN_MS - Date.now()));
        const listed = await management('GET', '/warehouses/default/event-sinks').catch(() => undefined);
        const sink = (listed?.body?.sinks as Array<{ kind: string; failures: number }> | undefined)?.find((s) => s.kind === 'kafka');
        kafkaOutage.failuresSeen = Math.max(kafkaOutage.failuresSeen, sink?.failures ?? 0);
      }
      kafkaOutage.acknowledgedDuring = ackCount() - before;
      await link.restore();
      kafkaOutage.startedAt = Date.now();
    };
    const webhookOutage = { refused: 0 };
    const breakWebhook = async () => {
      await sleep(2_000);
      receiver.failing = true;
      await sleep(WEBHOOK_DOWN_MS);
      receiver.failing = false;
      webhookOutage.refused = receiver.refused;
    };

    const started = Date.now();
    const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
    writers.catch(() => (writing = false));
    await Promise.all([killer(), breakKafka(), breakWebhook()]);
    // A few more seconds of commits after the last fault: delivery must also catch up with a live stream.
    await sleep(3_000);
    writing = false;
    await writers;
    await db.end();
    const writeSeconds = (Date.now() - started) / 1000;

    // The faults happened while commits were made.
    expect(kills).toHaveLength(KILLS);
    expect(kills.filter((k) => k.holder).length, JSON.stringify(kills)).toBeGreaterThanOrEqual(2);
    expect(kafkaOutage.startedAt - kafkaOutage.stoppedAt).toBeGreaterThanOrEqual(KAFKA_DOWN_MS);
    expect(kafkaOutage.acknowledgedDuring).toBeGreaterThan(0);
    // The cut was an outage to the sink: its deliveries failed (and were retried) while it lasted.
    expect(kafkaOutage.failuresSeen).toBeGreaterThan(0);
    expect(webhookOutage.refused).toBeGreaterThan(0);

    // --- the truth: every commit that landed, per table, in commit order; and the outbox ---------------------------------
    const send = any();
    const chains = new Map<string, string[]>();
    for (const t of TABLES) chains.set(t, snapshotChain((await send('GET', `/v1/default/namespaces/faults/tables/${t}`)).body.metadata));
    const uuidOf = new Map<string, string>();
    for (const t of TABLES) uuidOf.set(t, String((await send('GET', `/v1/default/namespaces/faults/tables/${t}`)).body.metadata['table-uuid']));
    for (const t of TABLES) {
      const landed = new Set(chains.get(t));
      // Every acknowledged commit landed (a request cut by a kill may have landed too, unacknowledged).
      expect(
        acknowledged.get(t)!.filter((s) => !landed.has(s)),
        t,
      ).toEqual([]);
    }
    const outbox: PulledEvent[] = [];
    for (let after = '0'; ;) {
      const page = await management('GET', `/events?warehouse=default&after=${after}&limit=500`);
      expect(page.status).toBe(200);
      outbox.push(...page.body.events);
      after = page.body.next;
      if (!page.body.more) break;
    }
    // The outbox: one committed event per landed commit, in each table's commit order; sequences without a gap.
    for (const t of TABLES) {
      const committed = outbox.filter((e) => e.partitionkey === uuidOf.get(t) && e.type === 'io.lakegate.table.committed').map((e) => snapshotOf(e)!);
      expect(committed, t).toEqual(chains.get(t));
    }
    expect(outbox.map((e) => Number(e.sequence))).toEqual(outbox.map((_, i) => i + 1));

    // --- every sink caught up --------------------------------------------------------------------------------------------
    type SinkView = { kind: string; state: string; pending: string; failures: number };
    let sinks: SinkView[] = [];
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(500)) {
      sinks = (await management('GET', '/warehouses/default/event-sinks')).body.sinks;
      if (sinks.every((s) => s.pending === '0')) break;
    }
    for (const s of sinks) expect(s, JSON.stringify(sinks)).toMatchObject({ state: 'active', pending: '0' });

    const ids = new Set(outbox.map((e) => e.id));
    const fromWebhook: SinkRecordRead[] = receiver.accepted.map((r) => ({ id: r.id, body: r.body }));
    const fromKafka: SinkRecordRead[] = (await readKafka(kafka.bootstrap, TOPIC, ids)).map((r) => ({ id: r.id, body: parseJson(r.body) }));
    const nc = await connect({ servers: nats.url });
    const fromNats: SinkRecordRead[] = (await readNats(nc, 'FAULTS', 'faults.events')).map((r) => ({ id: r.id, body: parseJson(r.body) }));
    await nc.close();
    const faults = [...sinkFaults('webhook', outbox, fromWebhook), ...sinkFaults('kafka', outbox, fromKafka), ...sinkFaults('nats', outbox, fromNats)];
    expect(faults).toEqual([]);

    // Each acknowledged commit: exactly one event id in each sink.
    for (const [name, records] of [
      ['webhook', fromWebhook],
      ['kafka', fromKafka],
      ['nats', fromNats],
    ] as const) {
      const idsOf = new Map<string, Set<string>>();
      for (const r of records) {
        const s = snapshotOf(r.body);
        if (s !== undefined) idsOf.set(s, (idsOf.get(s) ?? new Set()).add(r.id));
      }
      const acked = [...acknowledged.values()].flat();
      expect(
        acked.filter((s) => idsOf.get(s)?.size !== 1),
        name,
      ).toEqual([]);
    }
    expect(receiver.badSignatures).toBe(0);
    // (The webhook receiver's first arrivals are the outbox itself, in order: one sink delivers a warehouse in sequence.)
    expect(firstOfEach(receiver.accepted).map((r) => canonical(r.body))).toEqual(outbox.map((e) => canonical(e)));

    const committed = outbox.filter((e) => e.type === 'io.lakegate.table.committed').length;
    console.log(
      `events-faults: ${writeSeconds.toFixed(0)} s of writing, ${ackCount()} commits acknowledged (${committed} landed, ${conflicts} conflicts retried, ${lostRequests} requests cut), ` +
        `${outbox.length} events; kills ${JSON.stringify(kills.map((k) => ({ holder: k.holder, at: k.acknowledgedBefore })))}; ` +
        `Kafka unreachable ${((kafkaOutage.startedAt - kafkaOutage.stoppedAt) / 1000).toFixed(0)} s over ${kafkaOutage.acknowledgedDuring} commits (its sink failed ${kafkaOutage.failuresSeen} times in a row); webhook refused ${webhookOutage.refused}; ` +
        `duplicates webhook ${duplicateCount(fromWebhook)}, kafka ${duplicateCount(fromKafka)}, nats ${duplicateCount(fromNats)}`,
    );
  },
  8 * 60_000,
);

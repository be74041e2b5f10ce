/**
 * A Hive standalone metastore (4.0.1; jars from Maven Central, cached by scripts/peers/hive-metastore.sh) for a test
 * file, on a PostgreSQL cluster of its own (scripts/peers/postgres.sh; the schema made by Hive's own script, so HMS's
 * table locks work): started on free loopback ports, ready once a Thrift call (get_all_databases) answers. stop()
 * stops the metastore only (its database stays), so start() again brings the same metastore back (an outage);
 * destroy() stops both and removes everything.
 */
import path from 'node:path';
import { HmsClient } from '../../packages/server/src/federation/hive/hms-client.js';
import { peerScript, startPostgres } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export interface HiveMetastore {
  /** `thrift://127.0.0.1:PORT`. */
  uri: string;
  port: number;
  /** A Thrift client of it (the test's own view of HMS, beside Lakegate's). */
  client(): HmsClient;
  /**
   * Runs Iceberg Java's HiveCatalog writer (HMS locks on) against it (peers/iceberg-hive-writer/HiveWriter.java):
   * `append N` answers the appends it acknowledged, `read` the current snapshot's data files and the properties.
   */
  icebergWriter(db: string, table: string, args: string[]): Promise<{ acks: string[]; files: string[]; properties: Record<string, string> }>;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function hms(args: string[]): Promise<string> {
  const result = await runAsync('bash', [peerScript('hive-metastore.sh'), ...args], { env: process.env, timeoutMs: 20 * 60_000 });
  if (result.status !== 0) throw new Error(`hive-metastore.sh ${args[0]} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

/** Waits until HMS answers a Thrift call (the port opens a moment before the handler serves). */
async function answering(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const client = new HmsClient('127.0.0.1', port, 5000);
    try {
      await client.call('get_all_databases', []);
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`the Hive metastore on port ${port} does not answer: ${(e as Error).message}`);
    } finally {
      client.close();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Fetches the jars (first time only) and starts a metastore. */
export async function startHiveMetastore(): Promise<HiveMetastore> {
  const dir = tempDir('lakegate-hms-');
  const serverDir = path.join(dir.dir, 'server');
  const pg = startPostgres(path.join(dir.dir, 'postgres'), await freePort());
  const database = pg.createDatabase('hive_metastore');
  const port = await freePort();
  const start = async () => {
    await hms(['start', serverDir, String(port), database]);
    await answering(port);
  };
  try {
    await start();
  } catch (e) {
    pg.stop();
    throw e;
  }
  return {
    uri: `thrift://127.0.0.1:${port}`,
    port,
    client: () => new HmsClient('127.0.0.1', port, 10_000),
    async icebergWriter(db, table, args) {
      const run = await runAsync('bash', [peerScript('hive-metastore.sh'), 'writer', `thrift://127.0.0.1:${port}`, db, table, ...args], {
        env: process.env,
        timeoutMs: 10 * 60_000,
      });
      if (run.status !== 0) throw new Error(`Iceberg's HiveCatalog writer failed (${run.status}):\n${run.stderr.slice(-3000)}`);
      const lines = run.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { ack?: string; files?: string[]; properties?: Record<string, string> });
      return {
        acks: lines.flatMap((l) => (l.ack === undefined ? [] : [l.ack])),
        files: lines.flatMap((l) => l.files ?? []),
        properties: Object.assign({}, ...lines.map((l) => l.properties ?? {})) as Record<string, string>,
      };
    },
    stop: async () => void (await hms(['stop', serverDir])),
    start,
    async destroy() {
      await hms(['stop', serverDir]);
      pg.stop();
      dir.cleanup();
    },
  };
}

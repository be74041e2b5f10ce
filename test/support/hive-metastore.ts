/**
 * A Hive standalone metastore (4.0.1, embedded Derby; jars from Maven Central, cached by
 * scripts/peers/hive-metastore.sh) for a test file: started on a free loopback port, ready once a Thrift call
 * (get_all_databases) answers. stop() keeps its Derby database, so start() again brings the same metastore back (an
 * outage); destroy() stops it and removes everything.
 */
import path from 'node:path';
import { HmsClient } from '../../packages/server/src/federation/hive/hms-client.js';
import { peerScript } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export interface HiveMetastore {
  /** `thrift://127.0.0.1:PORT`. */
  uri: string;
  port: number;
  /** A Thrift client of it (the test's own view of HMS, beside Lakegate's). */
  client(): HmsClient;
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
  const port = await freePort();
  const start = async () => {
    await hms(['start', serverDir, String(port)]);
    await answering(port);
  };
  await start();
  return {
    uri: `thrift://127.0.0.1:${port}`,
    port,
    client: () => new HmsClient('127.0.0.1', port, 10_000),
    stop: async () => void (await hms(['stop', serverDir])),
    start,
    async destroy() {
      await hms(['stop', serverDir]);
      dir.cleanup();
    },
  };
}

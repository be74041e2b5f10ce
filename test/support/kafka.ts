/**
 * An Apache Kafka broker (4.4.0, KRaft, one node; jars from Maven Central, cached by scripts/peers/kafka.sh) for a
 * test file: started once on free loopback ports. stop() keeps its data, so start() again brings the same broker
 * back (an outage); destroy() stops it and removes everything.
 */
import path from 'node:path';
import { peerScript } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export interface KafkaBroker {
  /** `127.0.0.1:PORT`, what kafkajs takes in `brokers`. */
  bootstrap: string;
  /** Stops the broker (SIGTERM, then SIGKILL after 30 s); its data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same ports, with the same data. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function kafka(args: string[]): Promise<string> {
  const result = await runAsync('bash', [peerScript('kafka.sh'), ...args], { env: process.env, timeoutMs: 20 * 60_000 });
  if (result.status !== 0) throw new Error(`kafka.sh ${args[0]} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

/** Fetches the jars (first time only) and starts a broker. */
export async function startKafka(): Promise<KafkaBroker> {
  const dir = tempDir('lakegate-kafka-');
  const serverDir = path.join(dir.dir, 'server');
  const [port, controllerPort] = [await freePort(), await freePort()];
  const start = () => kafka(['start', serverDir, String(port), String(controllerPort)]);
  const bootstrap = await start();
  return {
    bootstrap,
    async stop() {
      await kafka(['stop', serverDir]);
    },
    async start() {
      await start();
    },
    async destroy() {
      await kafka(['stop', serverDir]);
      dir.cleanup();
    },
  };
}

/**
 * An Apache Kafka broker (4.4.0, KRaft, one node; jars from Maven Central, cached by scripts/peers/kafka.sh) for a
 * test file: started once on free loopback ports. stop() keeps its data, so start() again brings the same broker
 * back (an outage); destroy() stops it and removes everything. With `saslPlain`, a second listener (SASL_PLAINTEXT,
 * mechanism PLAIN, also on 127.0.0.1) accepts that one user; with `scramSha256`, that listener takes SCRAM-SHA-256
 * instead, the user's credential stored when the broker's data dir is formatted. With `tls`, a listener speaking TLS
 * (SSL, on 127.0.0.1) serves the given key and certificate. With `shared` (and no other option), the run's plain broker:
 * started by the first file that asks, reused by the others, stopped by the run's global teardown (shared-peers.ts);
 * each file uses topics of its own, and may not stop it (its stop() and start() throw, its destroy() does nothing).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { peerScript } from './peers.js';
import { peersDir, readPeer, recordPeer } from './shared-peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export interface KafkaBroker {
  /** `127.0.0.1:PORT`, what kafkajs takes in `brokers`. */
  bootstrap: string;
  /** The SASL_PLAINTEXT listener, when started with `saslPlain`. */
  saslBootstrap?: string;
  /** The SSL listener (`127.0.0.1:PORT`), when started with `tls`. */
  tlsBootstrap?: string;
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

export interface KafkaOptions {
  saslPlain?: { username: string; password: string };
  scramSha256?: { username: string; password: string };
  tls?: { keystoreFile: string };
  /** The run's plain broker, shared with the other files that ask for it (outside a run with the global setup: a broker of the file's own). */
  shared?: boolean;
}

/** Fetches the jars (first time only) and starts a broker (or reuses the run's shared one). */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const shareable = options.shared === true && !options.saslPlain && !options.scramSha256 && !options.tls && peersDir() !== undefined;
  if (shareable) {
    const recorded = readPeer('kafka');
    if (recorded && (await listening(recorded.info.bootstrap!))) return sharedBroker(recorded.info.bootstrap!);
  }
  // A shared broker lives in the run's peer directory (removed at the end of the run); others in a temp dir of their own.
  const dir = shareable ? { dir: mkdtempSync(path.join(peersDir()!, 'kafka-')), cleanup: () => undefined } : tempDir('lakegate-kafka-');
  const serverDir = path.join(dir.dir, 'server');
  const [port, controllerPort] = [await freePort(), await freePort()];
  /**
   * A second listener beside PLAINTEXT (`NAME://127.0.0.1:PORT`, its security protocol NAME) with its settings, written
   * to DIR/extra.properties, which kafka.sh appends to server.properties; its `127.0.0.1:PORT`.
   */
  const secondListener = async (name: 'SSL' | 'SASL_PLAINTEXT', settings: string[]): Promise<string> => {
    const listenerPort = await freePort();
    mkdirSync(serverDir, { recursive: true });
    writeFileSync(
      path.join(serverDir, 'extra.properties'),
      [
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort},${name}://127.0.0.1:${listenerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port},${name}://127.0.0.1:${listenerPort}`,
        `listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,${name}:${name}`,
        ...settings,
        '',
      ].join('\n'),
    );
    return `127.0.0.1:${listenerPort}`;
  };
  let saslBootstrap: string | undefined;
  let tlsBootstrap: string | undefined;
  if (options.tls) {
    // Its key and certificate chain read from one PEM file (no password).
    tlsBootstrap = await secondListener('SSL', ['ssl.keystore.type=PEM', `ssl.keystore.location=${options.tls.keystoreFile}`]);
  } else if (options.scramSha256) {
    // SCRAM credentials live in the cluster metadata: stored when the data dir is formatted (kafka.sh reads DIR/scram).
    const { username, password } = options.scramSha256;
    saslBootstrap = await secondListener('SASL_PLAINTEXT', [
      'sasl.enabled.mechanisms=SCRAM-SHA-256',
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    ]);
    writeFileSync(path.join(serverDir, 'scram'), `SCRAM-SHA-256=[name=${username},password=${password}]\n`);
  } else if (options.saslPlain) {
    const { username, password } = options.saslPlain;
    saslBootstrap = await secondListener('SASL_PLAINTEXT', [
      'sasl.enabled.mechanisms=PLAIN',
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${password}";`,
    ]);
  }
  const start = () => kafka(['start', serverDir, String(port), String(controllerPort)]);
  const bootstrap = await start();
  if (shareable) {
    recordPeer('kafka', { stop: { script: 'kafka.sh', args: ['stop', serverDir] }, info: { bootstrap } });
    return sharedBroker(bootstrap);
  }
  return {
    bootstrap,
    ...(saslBootstrap ? { saslBootstrap } : {}),
    ...(tlsBootstrap ? { tlsBootstrap } : {}),
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

function sharedBroker(bootstrap: string): KafkaBroker {
  const refuse = async () => {
    throw new Error('the shared Kafka broker is not stopped by a test file: start a broker of its own (startKafka() without shared)');
  };
  return { bootstrap, stop: refuse, start: refuse, destroy: async () => undefined };
}

/** Whether a broker accepts connections at `127.0.0.1:PORT`. */
function listening(bootstrap: string): Promise<boolean> {
  const [host, port] = bootstrap.split(':');
  return new Promise((resolve) => {
    const c = net.createConnection({ host: host!, port: Number(port) });
    c.setTimeout(5000, () => {
      c.destroy();
      resolve(false);
    });
    c.once('connect', () => {
      c.end();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

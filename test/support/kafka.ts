/**
 * An Apache Kafka broker (4.4.0, KRaft, one node; jars from Maven Central, cached by scripts/peers/kafka.sh) for a
 * test file: started once on free loopback ports. stop() keeps its data, so start() again brings the same broker
 * back (an outage); destroy() stops it and removes everything. With `saslPlain`, a second listener (SASL_PLAINTEXT,
 * mechanism PLAIN, also on 127.0.0.1) accepts that one user (PLAIN users are static config of a start).
 *
 * With `shared`, the run's broker: started by the first file that asks, reused by the others, stopped by the run's
 * global teardown (shared-peers.ts). It has three listeners, all on 127.0.0.1: PLAINTEXT (`bootstrap`),
 * SASL_PLAINTEXT with SCRAM-SHA-256 (`saslBootstrap`; a file adds users of its own with addScramUser(), stored in the
 * broker's metadata at run time) and SSL (`tlsBootstrap`), serving a certificate from a throwaway authority made at
 * its start (`certificates`, test/support/tls-certs.ts). Each file uses topics and users of its own, and may not stop
 * it (its stop() and start() throw, its destroy() does nothing). Outside a run with the global setup, `shared` gives
 * a file a broker of its own with the same listeners.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { peerScript } from './peers.js';
import { peersDir, readPeer, recordPeer } from './shared-peers.js';
import { freePort, runAsync, tempDir } from './temp.js';
import { loadCertificates, makeCertificates, type TestCertificates } from './tls-certs.js';

export interface KafkaBroker {
  /** `127.0.0.1:PORT`, what kafkajs takes in `brokers`. */
  bootstrap: string;
  /** The SASL_PLAINTEXT listener: PLAIN with `saslPlain`, SCRAM-SHA-256 on the `shared` broker. */
  saslBootstrap?: string;
  /** The SSL listener (`127.0.0.1:PORT`) of the `shared` broker. */
  tlsBootstrap?: string;
  /** The certificates the SSL listener serves (its authority is what a client trusts). */
  certificates?: TestCertificates;
  /** Stores a SCRAM-SHA-256 credential on the `shared` broker; resolves once the broker knows it. */
  addScramUser?(user: { username: string; password: string }): Promise<void>;
  /** Stops the broker (SIGTERM, then SIGKILL after 30 s); its data stays. */
  stop(): Promise<void>;
  /** Starts it again on the same ports, with the same data. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function kafka(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const result = await runAsync('bash', [peerScript('kafka.sh'), ...args], { env, timeoutMs: 20 * 60_000 });
  if (result.status !== 0) throw new Error(`kafka.sh ${args[0]} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

export interface KafkaOptions {
  saslPlain?: { username: string; password: string };
  /** The run's multi-listener broker, shared with the other files that ask for it (outside a run with the global setup: a broker of the file's own). */
  shared?: boolean;
}

/** Fetches the jars (first time only) and starts a broker (or reuses the run's shared one). */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  if (options.shared && options.saslPlain) throw new Error('the shared Kafka broker has no PLAIN users (they are static config): start a broker of its own');
  const shareable = options.shared === true && peersDir() !== undefined;
  if (shareable) {
    const recorded = readPeer('kafka');
    if (recorded && (await listening(recorded.info.bootstrap!))) return sharedBroker(recorded.info);
  }
  // A shared broker lives in the run's peer directory (removed at the end of the run); others in a temp dir of their own.
  const dir = shareable ? { dir: mkdtempSync(path.join(peersDir()!, 'kafka-')), cleanup: () => undefined } : tempDir('lakegate-kafka-');
  const serverDir = path.join(dir.dir, 'server');
  mkdirSync(serverDir, { recursive: true });
  const [port, controllerPort] = [await freePort(), await freePort()];
  /**
   * Listeners beside PLAINTEXT (`NAME://127.0.0.1:PORT`, each its security protocol NAME) with their settings, written
   * to DIR/extra.properties, which kafka.sh appends to server.properties; their `127.0.0.1:PORT`s.
   */
  const moreListeners = async (names: Array<'SSL' | 'SASL_PLAINTEXT'>, settings: string[]): Promise<string[]> => {
    const ports: number[] = [];
    for (const _ of names) ports.push(await freePort());
    const listeners = names.map((name, i) => `${name}://127.0.0.1:${ports[i]}`);
    writeFileSync(
      path.join(serverDir, 'extra.properties'),
      [
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort},${listeners.join(',')}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port},${listeners.join(',')}`,
        `listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,${names.map((n) => `${n}:${n}`).join(',')}`,
        ...settings,
        '',
      ].join('\n'),
    );
    return ports.map((p) => `127.0.0.1:${p}`);
  };
  let info: Record<string, string> = {};
  if (options.shared) {
    // SCRAM credentials live in the cluster metadata: each file adds its own users (kafka.sh scram-user).
    const certsDir = path.join(dir.dir, 'certs');
    mkdirSync(certsDir);
    const certificates = makeCertificates(certsDir);
    const [saslBootstrap, tlsBootstrap] = await moreListeners(
      ['SASL_PLAINTEXT', 'SSL'],
      [
        'sasl.enabled.mechanisms=SCRAM-SHA-256',
        'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        // Its key and certificate chain read from one PEM file (no password).
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${certificates.keystoreFile}`,
      ],
    );
    info = { saslBootstrap: saslBootstrap!, tlsBootstrap: tlsBootstrap!, certsDir };
  } else if (options.saslPlain) {
    const { username, password } = options.saslPlain;
    const [saslBootstrap] = await moreListeners(
      ['SASL_PLAINTEXT'],
      [
        'sasl.enabled.mechanisms=PLAIN',
        `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${password}";`,
      ],
    );
    info = { saslBootstrap: saslBootstrap! };
  }
  const start = () => kafka(['start', serverDir, String(port), String(controllerPort)]);
  info.bootstrap = await start();
  if (shareable) {
    recordPeer('kafka', { stop: { script: 'kafka.sh', args: ['stop', serverDir] }, info });
    return sharedBroker(info);
  }
  return {
    ...addresses(info),
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

/** The addresses (and, for the multi-listener broker, its certificates and user management) of a broker. */
function addresses(info: Record<string, string>): Omit<KafkaBroker, 'stop' | 'start' | 'destroy'> {
  const bootstrap = info.bootstrap!;
  return {
    bootstrap,
    ...(info.saslBootstrap ? { saslBootstrap: info.saslBootstrap } : {}),
    ...(info.tlsBootstrap ? { tlsBootstrap: info.tlsBootstrap } : {}),
    ...(info.certsDir
      ? {
          certificates: loadCertificates(info.certsDir),
          addScramUser: async ({ username, password }: { username: string; password: string }) => {
            await kafka(['scram-user', bootstrap, username], { ...process.env, KAFKA_SCRAM_PASSWORD: password });
          },
        }
      : {}),
  };
}

function sharedBroker(info: Record<string, string>): KafkaBroker {
  const refuse = async () => {
    throw new Error('the shared Kafka broker is not stopped by a test file: start a broker of its own (startKafka() without shared)');
  };
  return { ...addresses(info), stop: refuse, start: refuse, destroy: async () => undefined };
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

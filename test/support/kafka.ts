/**
 * An Apache Kafka broker (4.4.0, KRaft, one node; jars from Maven Central, cached by scripts/peers/kafka.sh) for a
 * test file: started once on free loopback ports. stop() keeps its data, so start() again brings the same broker
 * back (an outage); destroy() stops it and removes everything.
 *
 * With `shared`, the run's broker: started by the first file that asks, reused by the others, stopped by the run's
 * global teardown (shared-peers.ts). Its listeners, all on 127.0.0.1: PLAINTEXT (`bootstrap`); SASL_PLAINTEXT
 * (`saslBootstrap`) with SCRAM-SHA-256 (a file adds users of its own with addScramUser(), stored in the broker's
 * metadata at run time) and PLAIN (one fixed user, KAFKA_PLAIN_USER: PLAIN users are static config); SSL
 * (`tlsBootstrap`), serving a certificate from a throwaway authority made at its start (`certificates`,
 * test/support/tls-certs.ts); and two cuttable ones, PLAINTEXT and SASL_PLAINTEXT with PLAIN, each advertised at a
 * port where nothing listens until a file opens cutKafka(): a TCP proxy of the file's own (cut-proxy.ts) on that port,
 * which the file cuts and restores to make real outages for its clients while the broker (and the other files' use
 * of it) stays up. Each file uses topics and users of its own, and may not stop it (its stop() and start() throw,
 * its destroy() does nothing). Outside a run with the global setup, `shared` gives a file a broker of its own with
 * the same listeners.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { type CutProxy, startCutProxy } from './cut-proxy.js';
import { peerScript } from './peers.js';
import { peersDir, readPeer, recordPeer } from './shared-peers.js';
import { freePort, runAsync, tempDir } from './temp.js';
import { loadCertificates, makeCertificates, type TestCertificates } from './tls-certs.js';

export interface KafkaBroker {
  /** `127.0.0.1:PORT`, what kafkajs takes in `brokers`. */
  bootstrap: string;
  /** The SASL_PLAINTEXT listener of the `shared` broker: SCRAM-SHA-256 and PLAIN (KAFKA_PLAIN_USER). */
  saslBootstrap?: string;
  /** The `shared` broker's cuttable listeners: for cutKafka(). */
  cuttable?: { plain: { advertised: string; listening: string }; sasl: { advertised: string; listening: string } };
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
  /** The run's multi-listener broker, shared with the other files that ask for it (outside a run with the global setup: a broker of the file's own). */
  shared?: boolean;
}

/** Fetches the jars (first time only) and starts a broker (or reuses the run's shared one). */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const shareable = options.shared === true && peersDir() !== undefined;
  if (shareable) {
    const recorded = readPeer('kafka');
    if (recorded && (await listening(recorded.info.bootstrap!))) return sharedBroker(recorded.info);
  }
  // A shared broker lives in the run's peer directory (removed at the end of the run); others in a temp dir of their own.
  const dir = shareable ? { dir: mkdtempSync(path.join(peersDir()!, 'kafka-')), cleanup: () => undefined } : tempDir('lakegate-kafka-');
  const serverDir = path.join(dir.dir, 'server');
  mkdirSync(serverDir, { recursive: true });
  // A shared broker's ports stay claimed for the whole run (its cuttable ones are idle between files), not only while this file's process lives.
  const held = shareable ? { while: peersDir()! } : {};
  const [port, controllerPort] = [await freePort(held), await freePort(held)];
  let info: Record<string, string> = {};
  if (options.shared) {
    const certsDir = path.join(dir.dir, 'certs');
    mkdirSync(certsDir);
    info = await sharedListeners(serverDir, port, controllerPort, makeCertificates(certsDir).keystoreFile, held);
    info.certsDir = certsDir;
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

/** The one PLAIN user of the shared broker's SASL_PLAINTEXT listeners (PLAIN users are static config of a start). */
export const KAFKA_PLAIN_USER = { username: 'lakegate-plain', password: 'kafka-plain-secret-0123' };

/**
 * The shared broker's listeners beside PLAINTEXT and CONTROLLER, written to DIR/extra.properties (kafka.sh appends it
 * to server.properties), on free ports of 127.0.0.1: SASL_PLAINTEXT (SCRAM-SHA-256 and PLAIN), SSL (the PEM keystore
 * `keystoreFile`), CUT (PLAINTEXT) and CUT_SASL (SASL_PLAINTEXT, PLAIN), the two last advertised at ports of their
 * own where cutKafka() puts its proxies. Their addresses, as the broker's info record holds them.
 */
async function sharedListeners(
  serverDir: string,
  port: number,
  controllerPort: number,
  keystoreFile: string,
  held: { while?: string },
): Promise<Record<string, string>> {
  const at = async () => `127.0.0.1:${await freePort(held)}`;
  const [sasl, tls, cut, cutSasl, cutAdvertised, cutSaslAdvertised] = [await at(), await at(), await at(), await at(), await at(), await at()];
  const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${KAFKA_PLAIN_USER.username}="${KAFKA_PLAIN_USER.password}";`;
  writeFileSync(
    path.join(serverDir, 'extra.properties'),
    [
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort},SASL_PLAINTEXT://${sasl},SSL://${tls},CUT://${cut},CUT_SASL://${cutSasl}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://${sasl},SSL://${tls},CUT://${cutAdvertised},CUT_SASL://${cutSaslAdvertised}`,
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CUT:PLAINTEXT,CUT_SASL:SASL_PLAINTEXT',
      // SCRAM credentials live in the cluster metadata: each file adds its own users (kafka.sh scram-user).
      'sasl.enabled.mechanisms=SCRAM-SHA-256,PLAIN',
      'listener.name.sasl_plaintext.sasl.enabled.mechanisms=SCRAM-SHA-256,PLAIN',
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=${plain}`,
      'listener.name.cut_sasl.sasl.enabled.mechanisms=PLAIN',
      `listener.name.cut_sasl.plain.sasl.jaas.config=${plain}`,
      // Its key and certificate chain read from one PEM file (no password).
      'ssl.keystore.type=PEM',
      `ssl.keystore.location=${keystoreFile}`,
      '',
    ].join('\n'),
  );
  return { saslBootstrap: sasl, tlsBootstrap: tls, cut, cutSasl, cutAdvertised, cutSaslAdvertised };
}

/** The shared broker's cuttable listeners behind proxies of the calling file's own (see the header). */
export interface CutKafka {
  /** What a client of the cuttable PLAINTEXT listener takes in `brokers` (the broker advertises it too). */
  bootstrap: string;
  /** The same for the cuttable SASL_PLAINTEXT listener (PLAIN, KAFKA_PLAIN_USER). */
  saslBootstrap: string;
  /** Closes every connection through both proxies and stops them listening: to their clients, the broker is down. */
  cut(): Promise<void>;
  /** Both proxies listen again: the broker is back, with everything it acknowledged. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the proxies of the shared broker's cuttable listeners (one file at a time may: the files of the interop
 * project run one after the other, and each closes them in its afterAll).
 */
export async function cutKafka(broker: KafkaBroker): Promise<CutKafka> {
  if (!broker.cuttable) throw new Error('only the shared Kafka broker (startKafka({ shared: true })) has cuttable listeners');
  const { plain, sasl } = broker.cuttable;
  const first = await startCutProxy(plain.advertised, plain.listening);
  const proxies: CutProxy[] = [first];
  try {
    proxies.push(await startCutProxy(sasl.advertised, sasl.listening));
  } catch (e) {
    await first.close();
    throw e;
  }
  const all = async (f: (p: CutProxy) => Promise<void>) => void (await Promise.all(proxies.map(f)));
  return {
    bootstrap: plain.advertised,
    saslBootstrap: sasl.advertised,
    cut: () => all((p) => p.cut()),
    restore: () => all((p) => p.restore()),
    close: () => all((p) => p.close()),
  };
}

/** The addresses (and, for the multi-listener broker, its certificates and user management) of a broker. */
function addresses(info: Record<string, string>): Omit<KafkaBroker, 'stop' | 'start' | 'destroy'> {
  const bootstrap = info.bootstrap!;
  return {
    bootstrap,
    ...(info.saslBootstrap ? { saslBootstrap: info.saslBootstrap } : {}),
    ...(info.tlsBootstrap ? { tlsBootstrap: info.tlsBootstrap } : {}),
    ...(info.cut
      ? {
          cuttable: {
            plain: { advertised: info.cutAdvertised!, listening: info.cut },
            sasl: { advertised: info.cutSaslAdvertised!, listening: info.cutSasl! },
          },
        }
      : {}),
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

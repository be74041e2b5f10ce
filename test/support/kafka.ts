/**
 * An Apache Kafka broker (4.4.0, KRaft, one node; jars from Maven Central, cached by scripts/peers/kafka.sh) for a
 * test file: started once on free loopback ports. stop() keeps its data, so start() again brings the same broker
 * back (an outage); destroy() stops it and removes everything. With `saslPlain`, a second listener (SASL_PLAINTEXT,
 * mechanism PLAIN, also on 127.0.0.1) accepts that one user; with `scramSha256`, that listener takes SCRAM-SHA-256
 * instead, the user's credential stored when the broker's data dir is formatted. With `tls`, a listener speaking TLS
 * (SSL, on 127.0.0.1) serves the given key and certificate.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { peerScript } from './peers.js';
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

/** Fetches the jars (first time only) and starts a broker. */
export async function startKafka(
  options: { saslPlain?: { username: string; password: string }; scramSha256?: { username: string; password: string }; tls?: { keystoreFile: string } } = {},
): Promise<KafkaBroker> {
  const dir = tempDir('lakegate-kafka-');
  const serverDir = path.join(dir.dir, 'server');
  const [port, controllerPort] = [await freePort(), await freePort()];
  let saslBootstrap: string | undefined;
  let tlsBootstrap: string | undefined;
  if (options.tls) {
    // An SSL listener beside the plaintext one, its key and certificate chain read from one PEM file (no password).
    const tlsPort = await freePort();
    tlsBootstrap = `127.0.0.1:${tlsPort}`;
    mkdirSync(serverDir, { recursive: true });
    writeFileSync(
      path.join(serverDir, 'extra.properties'),
      [
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort},SSL://127.0.0.1:${tlsPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port},SSL://127.0.0.1:${tlsPort}`,
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL',
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${options.tls.keystoreFile}`,
        '',
      ].join('\n'),
    );
  } else if (options.scramSha256) {
    // SCRAM credentials live in the cluster metadata: stored when the data dir is formatted (kafka.sh reads DIR/scram).
    const saslPort = await freePort();
    saslBootstrap = `127.0.0.1:${saslPort}`;
    const { username, password } = options.scramSha256;
    mkdirSync(serverDir, { recursive: true });
    writeFileSync(path.join(serverDir, 'scram'), `SCRAM-SHA-256=[name=${username},password=${password}]\n`);
    writeFileSync(
      path.join(serverDir, 'extra.properties'),
      [
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
        'sasl.enabled.mechanisms=SCRAM-SHA-256',
        'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        '',
      ].join('\n'),
    );
  } else if (options.saslPlain) {
    const saslPort = await freePort();
    saslBootstrap = `127.0.0.1:${saslPort}`;
    const { username, password } = options.saslPlain;
    mkdirSync(serverDir, { recursive: true });
    writeFileSync(
      path.join(serverDir, 'extra.properties'),
      [
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
        'sasl.enabled.mechanisms=PLAIN',
        `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${username}="${password}";`,
        '',
      ].join('\n'),
    );
  }
  const start = () => kafka(['start', serverDir, String(port), String(controllerPort)]);
  const bootstrap = await start();
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

/**
 * A NATS server with JetStream (v2.15.2, built from its Go module and cached by scripts/peers/nats.sh) for a test
 * file: one server on a free loopback port. stop() keeps its JetStream store, so start() again brings the same
 * server back (an outage); destroy() stops it and removes everything. With `user`, clients must sign in as that user;
 * with `tls`, they must speak TLS to it (the given certificate and key).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { peerScript } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export interface NatsServer {
  /** `nats://127.0.0.1:PORT` */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

async function nats(args: string[]): Promise<string> {
  const result = await runAsync('bash', [peerScript('nats.sh'), ...args], { env: process.env, timeoutMs: 30 * 60_000 });
  if (result.status !== 0) throw new Error(`nats.sh ${args[0]} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

/** Builds nats-server (first time only: a few minutes) and starts it. */
export async function startNats(options: { user?: { user: string; password: string }; tls?: { certFile: string; keyFile: string } } = {}): Promise<NatsServer> {
  const dir = tempDir('lakegate-nats-');
  const serverDir = path.join(dir.dir, 'server');
  const extra: string[] = [];
  if (options.user)
    extra.push(`authorization { users = [ { user: ${JSON.stringify(options.user.user)}, password: ${JSON.stringify(options.user.password)} } ] }`);
  // Every client must then speak TLS (the server's INFO says tls_required).
  if (options.tls) extra.push(`tls { cert_file: ${JSON.stringify(options.tls.certFile)}, key_file: ${JSON.stringify(options.tls.keyFile)} }`);
  if (extra.length > 0) {
    mkdirSync(serverDir, { recursive: true });
    writeFileSync(path.join(serverDir, 'extra.conf'), `${extra.join('\n')}\n`);
  }
  await nats(['bin']);
  const port = await freePort();
  const start = () => nats(['start', serverDir, String(port)]);
  const url = await start();
  return {
    url,
    async stop() {
      await nats(['stop', serverDir]);
    },
    async start() {
      await start();
    },
    async destroy() {
      await nats(['stop', serverDir]);
      dir.cleanup();
    },
  };
}

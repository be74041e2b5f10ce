/**
 * Two `lakegate serve` replicas on one PostgreSQL behind HAProxy running deploy/haproxy.cfg (addresses rewritten), as
 * docs/deployment.md describes: one secret key, the proxy's URL as every replica's public URL (the token issuer).
 * Registers its beforeAll/afterAll hooks; used by test/interop/replicas-proxy*.test.ts.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { peerScript } from './peers.js';
import { usePostgresCluster } from './postgres-cluster.js';
import { REPO_ROOT, type ServerProcess, startServer } from './server-process.js';
import { freePort, tempDir } from './temp.js';

export interface ReplicasBehindProxy {
  readonly proxyUrl: string;
  readonly replicas: ReadonlyArray<ServerProcess | undefined>;
  readonly dataDir: string;
  /** The admin principal's "client_id:client_secret". */
  readonly credential: string;
  /** (Re)starts replica i on its port. */
  startReplica(i: number): Promise<void>;
  /** Resolves once the proxy sends requests to both replicas (its health checks marked them up). */
  bothUp(): Promise<void>;
  proxyLog(): string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const exited = (p: ChildProcess) =>
  p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r()));

/** Requests a replica counted (its own /metrics) on routes containing `part`. */
export async function requestsOn(r: ServerProcess, part: string): Promise<number> {
  const text = await (await fetch(`${r.url}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('lakegate_http_requests_total{')) continue;
    const route = /route="([^"]*)"/.exec(line)?.[1] ?? '';
    if (route.includes(part)) n += Number(line.split(' ').at(-1));
  }
  return n;
}

export function useReplicasBehindProxy(env: Record<string, string>): ReplicasBehindProxy {
  const cluster = usePostgresCluster('lakegate-pg-replicas-');
  const data = tempDir('lakegate-replicas-');
  const key = randomBytes(32).toString('base64');
  const replicas: Array<ServerProcess | undefined> = [undefined, undefined];
  const ports: number[] = [];
  let database = '';
  let proxyPort = 0;
  let proxy: ChildProcess | undefined;
  let log = '';
  let credential = '';
  const handle: ReplicasBehindProxy = {
    get proxyUrl() {
      return `http://127.0.0.1:${proxyPort}`;
    },
    replicas,
    dataDir: data.dir,
    get credential() {
      return credential;
    },
    async startReplica(i) {
      replicas[i] = await startServer({
        database,
        dataDir: data.dir,
        port: ports[i],
        workers: 1,
        env: {
          LAKEGATE_SECRET_KEY: key,
          LAKEGATE_PUBLIC_URL: handle.proxyUrl,
          LAKEGATE_TRUSTED_PROXIES: '127.0.0.1',
          LAKEGATE_SHUTDOWN_DRAIN_SECONDS: '3',
          LAKEGATE_LOG_LEVEL: 'warn',
          ...env,
        },
      });
    },
    async bothUp() {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const before = await Promise.all(replicas.map((r) => requestsOn(r!, '/v1/config')));
        for (let k = 0; k < 6; k++) await fetch(`${handle.proxyUrl}/v1/config`).catch(() => undefined);
        const after = await Promise.all(replicas.map((r) => requestsOn(r!, '/v1/config')));
        if (after.every((n, j) => n > before[j]!)) return;
        await sleep(500);
      }
      throw new Error(`the proxy did not see both replicas up:\n${log}`);
    },
    proxyLog: () => log,
  };

  beforeAll(async () => {
    const installed = execFileSync('bash', [peerScript('haproxy.sh'), 'install'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    database = cluster.database('replicas');
    ports.push(await freePort(), await freePort());
    proxyPort = await freePort();
    // One after the other: the first migrates and creates the admin principal and the default warehouse.
    await handle.startReplica(0);
    await handle.startReplica(1);
    credential = replicas[0]!.credential;
    const cfg = readFileSync(path.join(REPO_ROOT, 'deploy/haproxy.cfg'), 'utf8')
      .replace(/^(\s*)bind .*$/m, `$1bind 127.0.0.1:${proxyPort}`)
      .replace(/^(\s*)server replica1 \S+/m, `$1server replica1 127.0.0.1:${ports[0]}`)
      .replace(/^(\s*)server replica2 \S+/m, `$1server replica2 127.0.0.1:${ports[1]}`)
      .replace(/^(\s*)log global\n/m, '');
    const cfgFile = path.join(data.dir, 'haproxy.cfg');
    writeFileSync(cfgFile, cfg);
    proxy = spawn(installed, ['-db', '-f', cfgFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    proxy.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    for (
      let i = 0;
      i < 60 &&
      !(await fetch(`${handle.proxyUrl}/readyz`)
        .then((r) => r.status === 200)
        .catch(() => false));
      i++
    )
      await sleep(500);
    await handle.bothUp();
  }, 300_000);

  afterAll(async () => {
    proxy?.kill('SIGTERM');
    if (proxy) await exited(proxy);
    for (const r of replicas) await r?.stop('SIGKILL');
    data.cleanup();
  });
  return handle;
}

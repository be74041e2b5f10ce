/**
 * HAProxy (Debian's, scripts/peers/haproxy.sh) as a TLS front that requires client certificates (mutual TLS) before a
 * plain-TCP service: `bind … ssl crt <server key+cert> ca-file <client CA> verify required` in TCP mode, the stream
 * passed on unchanged. It stands where a deployment puts mTLS before a Hive Metastore, since HMS 4.0.1's own SSL never
 * asks for a client certificate (docs/federation.md says why). Run in the foreground (-db), stopped by its pid.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { peerScript } from './peers.js';
import { freePort } from './temp.js';

export interface TlsFront {
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the front in `dir` on `port` (default a free loopback port; a stopped front's port starts it again there):
 * server key+cert file `crtFile`, trusted client CA `clientCa` (PEM).
 */
export async function startMutualTlsFront(dir: string, crtFile: string, clientCa: string, backendPort: number, port?: number): Promise<TlsFront> {
  const binary = execFileSync('bash', [peerScript('haproxy.sh'), 'install'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  port ??= await freePort();
  const caFile = path.join(dir, 'front-client-ca.pem');
  writeFileSync(caFile, clientCa);
  const cfg = path.join(dir, 'front.cfg');
  writeFileSync(
    cfg,
    [
      'defaults',
      '  mode tcp',
      '  timeout connect 10s',
      '  timeout client 120s',
      '  timeout server 120s',
      'frontend hms_mtls',
      `  bind 127.0.0.1:${port} ssl crt ${crtFile} ca-file ${caFile} verify required`,
      '  default_backend hms',
      'backend hms',
      `  server hms 127.0.0.1:${backendPort}`,
      '',
    ].join('\n'),
  );
  const proxy: ChildProcess = spawn(binary, ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proxy.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  proxy.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  // Ready once the port accepts a TCP connection (HAProxy binds before it serves).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proxy.exitCode !== null) throw new Error(`haproxy exited (${proxy.exitCode}):\n${log}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error(`haproxy did not listen on ${port}:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    output: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proxy.exitCode !== null || proxy.signalCode !== null) return resolve();
        proxy.once('exit', () => resolve());
        proxy.kill('SIGTERM');
      }),
  };
}

/** The server process as an operator sees it: redacted logs, graceful shutdown, restart on the same data. */
import { statSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, expect, it } from 'vitest';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

const data = tempDir('lakegate-life-');
const started: ServerProcess[] = [];
afterAll(async () => {
  // Whatever happened above, no server outlives the test.
  for (const s of started) await s.stop();
  data.cleanup();
});

it('redacts secrets from logs and shuts down gracefully on SIGTERM', async () => {
  const server = await startServer({ dataDir: data.dir, env: { LAKEGATE_LOG_LEVEL: 'debug' } });
  started.push(server);
  const secrets = ['s3cr3t-bearer-token-value', 'api-key-value-123', 'refresh-token-value-xyz'];
  await fetch(`${server.url}/v1/default/namespaces?storageRefreshToken=${secrets[2]}`, {
    headers: { authorization: `Bearer ${secrets[0]}`, 'x-api-key': secrets[1]! },
  });
  // A request whose body is still arriving when SIGTERM comes must still complete.
  const body = JSON.stringify({ namespace: ['during_shutdown'] });
  const token = await server.token();
  const req = request(`${server.url}/v1/default/namespaces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
  });
  const inflight = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, 5));
  await new Promise((r) => setTimeout(r, 200));
  const exited = new Promise<number | null>((r) => server.process.once('exit', (code) => r(code)));
  server.process.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  req.end(body.slice(5));
  expect(await inflight).toBe(200);
  expect(await exited).toBe(0);
  for (const s of [...secrets, server.credential.split(':')[1]!, token]) expect(server.output()).not.toContain(s);
  expect(server.output()).toContain('shutting down');

  const again = await startServer({ dataDir: data.dir });
  started.push(again);
  expect((await fetch(`${again.url}/v1/default/namespaces/during_shutdown`, { headers: { authorization: `Bearer ${await again.token()}` } })).status).toBe(200);
  // The admin credentials were created on the first start only, with mode 0600.
  expect(again.credential).toBe(server.credential);
  expect(statSync(`${data.dir}/admin-credentials.json`).mode & 0o777).toBe(0o600);
});

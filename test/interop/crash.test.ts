/**
 * kill -9 in the middle of commits: after a restart every table is at one
 * whole metadata version (the file the catalog points to exists, parses and
 * matches what the catalog serves), never in between, and no acknowledged
 * commit is lost.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { httpSender, simpleSchema } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

const data = tempDir('lakegate-crash-');
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  data.cleanup();
});

it('leaves every table at the old or the new metadata when killed mid-commit', async () => {
  server = await startServer({ dataDir: data.dir, env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  let send = httpSender(server.url, await server.token());
  await send('POST', '/v1/default/namespaces', { namespace: ['crash'] });
  const tables = ['a', 'b', 'c', 'd'];
  for (const t of tables) expect((await send('POST', '/v1/default/namespaces/crash/tables', { name: t, schema: simpleSchema })).status).toBe(200);

  const acknowledged = new Map<string, number>(tables.map((t) => [t, -1]));
  for (let round = 0; round < 3; round++) {
    let stop = false;
    const writers = tables.map(async (t) => {
      for (let i = (acknowledged.get(t) ?? -1) + 1; !stop; i++) {
        try {
          const res = await send('POST', `/v1/default/namespaces/crash/tables/${t}`, {
            requirements: [],
            updates: [{ action: 'set-properties', updates: { counter: String(i) } }],
          });
          if (res.status === 200) acknowledged.set(t, i);
        } catch {
          return; // the server died under us
        }
      }
    });
    await new Promise((r) => setTimeout(r, 300 + round * 150));
    server.process.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    const dead = server.process;
    // The kill may already have been reaped while the writers drained: only wait when it has not.
    if (dead.exitCode === null && dead.signalCode === null) await new Promise((r) => dead.once('exit', r));
    server = await startServer({ dataDir: data.dir, env: { LAKEGATE_LOG_LEVEL: 'warn' } });
    send = httpSender(server.url, await server.token());

    for (const t of tables) {
      const res = await send('GET', `/v1/default/namespaces/crash/tables/${t}`);
      expect(res.status).toBe(200);
      const onDisk = JSON.parse(readFileSync(fileURLToPath(res.body['metadata-location']), 'utf8'));
      expect(onDisk).toEqual(JSON.parse(JSON.stringify(res.body.metadata)));
      const counter = Number(res.body.metadata.properties.counter ?? -1);
      // Acknowledged commits survive; at most the one in flight at the kill may have landed beyond them.
      expect(counter).toBeGreaterThanOrEqual(acknowledged.get(t)!);
      expect(counter).toBeLessThanOrEqual(acknowledged.get(t)! + 1);
      for (const entry of res.body.metadata['metadata-log']) expect(() => readFileSync(fileURLToPath(entry['metadata-file']))).not.toThrow();
      acknowledged.set(t, counter);
    }
  }
  expect([...acknowledged.values()].every((v) => v > 0)).toBe(true);
});

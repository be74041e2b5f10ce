/**
 * Idempotency-Key claims of requests in progress: the process running one
 * keeps its claim fresh, so a retry meanwhile is told "in progress" however
 * long it runs; a claim nobody keeps fresh (its process died) is taken over
 * by a retry after `abandonedAfterMs` instead of blocking the key until it
 * expires. Real SQLite store, real Fastify; timings shortened.
 */
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../packages/server/src/catalog/ports.js';
import { useIdempotency } from '../../packages/server/src/http/plugins/idempotency.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';

const temp = tempDir('idempotency-claims-');
const store = new SqliteCatalogStore(path.join(temp.dir, 'claims.sqlite'));
let app: FastifyInstance;
let runs = 0;
let release: () => void = () => {};

beforeAll(async () => {
  await store.migrate();
  app = Fastify();
  useIdempotency(app, store, systemClock, 60_000, { heartbeatMs: 50, abandonedAfterMs: 300 });
  app.post('/op', async () => {
    runs += 1;
    await new Promise<void>((r) => (release = r));
    return { runs };
  });
  app.setErrorHandler((err: Error & { code?: string }, _req, reply) => reply.code(409).send({ code: err.code, message: err.message }));
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await store.close();
  temp.cleanup();
});

const post = (key: string) => app.inject({ method: 'POST', url: '/op', headers: { 'idempotency-key': key } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Idempotency-Key claims', () => {
  it('a request in progress keeps its claim however long it runs; a retry meanwhile is told so and runs nothing', async () => {
    const key = '0190a000-0000-7000-8000-000000000001';
    const first = post(key);
    await sleep(700); // more than twice abandonedAfterMs: only the heartbeat keeps the claim
    const retry = await post(key);
    expect(retry.statusCode).toBe(409);
    expect(retry.json().message).toMatch(/in progress/);
    release();
    expect((await first).json()).toEqual({ runs: 1 });
    const replay = await post(key);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual({ runs: 1 });
    expect(runs).toBe(1);
  });

  it("a claim nobody keeps fresh (its process died) is taken over by a retry after abandonedAfterMs, not after the key's lifetime", async () => {
    const key = '0190a000-0000-7000-8000-000000000002';
    // What a process killed mid-request leaves behind: a claim, and nobody refreshing it.
    expect(await store.repository.reserveIdempotency(key, ` POST /op /op`, Date.now())).toBe(true);
    expect((await post(key)).statusCode).toBe(409);
    await sleep(400);
    const retried = post(key);
    await sleep(50);
    release();
    const res = await retried;
    expect(res.statusCode).toBe(200);
    expect(runs).toBe(2);
  });
});

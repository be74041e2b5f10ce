/**
 * Exactly once across a crash: a commit whose process dies after its database transaction but before the
 * Idempotency-Key's answer is recorded. The death is simulated by making the recording fail (the server then
 * answers 5xx and the claim stays, as it would after a SIGKILL); the retry with the same key must answer the
 * commit that was applied, never apply the change a second time nor refuse it as a conflict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendUpdates, type Send, simpleSchema } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog;
beforeAll(async () => {
  cat = await startInProcess();
  inject = injectSender(cat.lakegate.app);
  expect((await inject('POST', '/v1/default/namespaces', { namespace: ['crash'] })).status).toBe(200);
});
afterAll(async () => cat.close());

let inject: Send;

/**
 * Runs a request as if its process died right after the commit: nothing about its Idempotency-Key is written
 * after the operation (neither the answer nor the release of the claim that a 5xx answer makes).
 */
async function dieBeforeRecording<T>(request: () => Promise<T>): Promise<T> {
  const repository = cat.lakegate.store.repository;
  const { putIdempotency, deleteIdempotency } = repository;
  repository.putIdempotency = async () => {
    throw new Error('process died');
  };
  repository.deleteIdempotency = async () => {
    throw new Error('process died');
  };
  try {
    return await request();
  } finally {
    repository.putIdempotency = putIdempotency;
    repository.deleteIdempotency = deleteIdempotency;
  }
}

const snapshotsOf = async (table: string) => ((await inject('GET', `/v1/default/namespaces/crash/tables/${table}`)).body.metadata.snapshots ?? []) as unknown[];

describe('a commit whose answer was never recorded', () => {
  it('is answered from what it applied when retried with its key, once, with no conflict', async () => {
    const created = await inject('POST', '/v1/default/namespaces/crash/tables', { name: 'orders', schema: simpleSchema });
    expect(created.status).toBe(200);
    const append = appendUpdates(created.body.metadata);
    const key = '018f22e2-79b0-7cc3-98c4-dc0c0c0739a1';

    const first = await dieBeforeRecording(() =>
      inject('POST', '/v1/default/namespaces/crash/tables/orders', { requirements: append.requirements, updates: append.updates }, { 'idempotency-key': key }),
    );
    expect(first.status).toBeGreaterThanOrEqual(500);
    const applied = (await inject('GET', '/v1/default/namespaces/crash/tables/orders')).body;
    expect(applied.metadata.snapshots).toHaveLength(1);

    // The client never saw an answer and retries the same change with the same key: its requirement
    // (main at no snapshot) no longer holds, yet the answer is the commit it made, not a 409.
    const retry = await inject(
      'POST',
      '/v1/default/namespaces/crash/tables/orders',
      { requirements: append.requirements, updates: append.updates },
      { 'idempotency-key': key },
    );
    expect(retry.status, JSON.stringify(retry.body?.error)).toBe(200);
    expect(retry.body['metadata-location']).toBe(applied['metadata-location']);
    expect(await snapshotsOf('orders')).toHaveLength(1);
    // From then on the answer is recorded and replayed as usual.
    const again = await inject(
      'POST',
      '/v1/default/namespaces/crash/tables/orders',
      { requirements: append.requirements, updates: append.updates },
      { 'idempotency-key': key },
    );
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body['metadata-location']).toBe(applied['metadata-location']);
  });

  it('answers the table as that commit left it even after later commits, and covers multi-table transactions', async () => {
    for (const name of ['a', 'b']) expect((await inject('POST', '/v1/default/namespaces/crash/tables', { name, schema: simpleSchema })).status).toBe(200);
    const load = async (name: string) => (await inject('GET', `/v1/default/namespaces/crash/tables/${name}`)).body;
    const [a, b] = [appendUpdates((await load('a')).metadata), appendUpdates((await load('b')).metadata)];
    const changes = [
      { identifier: { namespace: ['crash'], name: 'a' }, requirements: a.requirements, updates: a.updates },
      { identifier: { namespace: ['crash'], name: 'b' }, requirements: b.requirements, updates: b.updates },
    ];
    const key = '018f22e2-79b0-7cc3-98c4-dc0c0c0739a2';
    expect(
      (await dieBeforeRecording(() => inject('POST', '/v1/default/transactions/commit', { 'table-changes': changes }, { 'idempotency-key': key }))).status,
    ).toBeGreaterThanOrEqual(500);
    // Someone else commits to a afterwards.
    const later = appendUpdates((await load('a')).metadata);
    expect((await inject('POST', '/v1/default/namespaces/crash/tables/a', { requirements: later.requirements, updates: later.updates })).status).toBe(200);

    const retry = await inject('POST', '/v1/default/transactions/commit', { 'table-changes': changes }, { 'idempotency-key': key });
    expect(retry.status, JSON.stringify(retry.body?.error)).toBe(204);
    expect(await snapshotsOf('a')).toHaveLength(2);
    expect(await snapshotsOf('b')).toHaveLength(1);
  });

  it('still runs a change whose earlier attempt died before committing', async () => {
    const created = await inject('POST', '/v1/default/namespaces/crash/tables', { name: 'c', schema: simpleSchema });
    const append = appendUpdates(created.body.metadata);
    const key = '018f22e2-79b0-7cc3-98c4-dc0c0c0739a3';
    // A claim without a note: the earlier attempt never reached its transaction (and the claim is abandoned).
    expect(await cat.lakegate.store.repository.reserveIdempotency(key, 'stale', 0)).toBe(true);
    const res = await inject(
      'POST',
      '/v1/default/namespaces/crash/tables/c',
      { requirements: append.requirements, updates: append.updates },
      { 'idempotency-key': key },
    );
    expect(res.status, JSON.stringify(res.body?.error)).toBe(200);
    expect(await snapshotsOf('c')).toHaveLength(1);
  });
});

/**
 * Coherence.claim between replicas on one PostgreSQL (persistence/postgres/replica-claims.ts), on the port itself:
 * two processes' ReplicaCoherence on one database. A claim another replica holds is waited for (its waiting shows in
 * pg_locks), and runs once the holder's `fn` ended; claims of other keys do not wait; a holder whose connection ends
 * (closed here; killed in policy-files-replicas.test.ts) frees the claim; a key holding NUL (not valid PostgreSQL
 * text) claims as any other; a replica not connected runs `fn` at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCoherence } from '../../packages/server/src/catalog/ports/index.js';
import { ReplicaCoherence } from '../../packages/server/src/persistence/postgres/replica-coherence.js';
import { usePostgresCluster, waitingClaims } from '../support/postgres-cluster.js';
import { waitFor } from '../support/wait-for.js';

const cluster = usePostgresCluster('lakegate-pg-claims-');
let database: string;
const replicas: ReplicaCoherence[] = [];

async function replica(): Promise<ReplicaCoherence> {
  const r = new ReplicaCoherence(new LocalCoherence(), database, () => undefined);
  await r.start();
  replicas.push(r);
  return r;
}

/** A claim's fn that runs until released; `entered` once it runs. */
function gate() {
  let enter!: () => void;
  const entered = new Promise<void>((r) => (enter = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  return { fn: async () => (enter(), await released), entered, release: () => release() };
}

beforeAll(() => {
  database = cluster.database('claims');
});
afterAll(async () => {
  for (const r of replicas) await r.close();
});

describe('claims between replicas', () => {
  it("wait for another replica's claim of the key, and run once it ended; another key does not wait", async () => {
    const [a, b] = [await replica(), await replica()];
    const held = gate();
    const holding = a.claim('k1', held.fn);
    await held.entered;
    const order: string[] = [];
    const waiting = b.claim('k1', async () => void order.push('b'));
    await waitFor(
      'b waiting for the claim',
      () => waitingClaims(database),
      (n) => n === 1,
    );
    // Another key is free meanwhile.
    await b.claim('k2', async () => void order.push('other key'));
    expect(order).toEqual(['other key']);
    order.push('a released');
    held.release();
    await holding;
    await waiting;
    expect(order).toEqual(['other key', 'a released', 'b']);
    expect(await waitingClaims(database)).toBe(0);
  });

  it('hold for a key with a NUL in it (as the Lance policy reads keys have): the other replica waits', async () => {
    const [a, b] = [await replica(), await replica()];
    const held = gate();
    const key = 'lance-policy\u0000default\u0000uuid\u0000pv\u00001';
    const holding = a.claim(key, held.fn);
    await held.entered;
    let ran = false;
    const waiting = b.claim(key, async () => void (ran = true));
    await waitFor(
      'b waiting for the claim',
      () => waitingClaims(database),
      (n) => n === 1,
    );
    expect(ran).toBe(false);
    held.release();
    await holding;
    await waiting;
    expect(ran).toBe(true);
  });

  it("are freed when the holder's connection ends", async () => {
    const [a, b] = [await replica(), await replica()];
    const held = gate();
    void a.claim('k3', held.fn);
    await held.entered;
    let ran = false;
    const waiting = b.claim('k3', async () => void (ran = true));
    await waitFor(
      'b waiting for the claim',
      () => waitingClaims(database),
      (n) => n === 1,
    );
    expect(ran).toBe(false);
    await a.close();
    await waiting;
    expect(ran).toBe(true);
    held.release();
  });

  it('run at once on a replica that is not connected', async () => {
    const [a] = [await replica()];
    const held = gate();
    void a.claim('k4', held.fn);
    await held.entered;
    const offline = new ReplicaCoherence(new LocalCoherence(), database, () => undefined);
    expect(await offline.claim('k4', async () => 'ran')).toBe('ran');
    held.release();
  });
});

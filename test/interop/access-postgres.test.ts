/**
 * Access control on PostgreSQL (Debian's postgresql, started by the suite on 127.0.0.1): the AccessControl
 * contract and the decision suite on the built-in adapter, then two `lakegate serve` replicas on one database:
 * a change made through replica A is applied by A at once and reaches replica B within the documented bound
 * (authzCacheSeconds, default 2 s), measured with B's caches warmed at the worst moment.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RbacAuthorizer } from '../../packages/server/src/auth/authz/rbac/rbac-authorizer.js';
import { PostgresCatalogStore } from '../../packages/server/src/persistence/postgres/postgres-store.js';
import { accessControlContract } from '../access/access-control-contract.js';
import { authorizerDecisions } from '../access/authorizer-decisions.js';
import { addMember, grant, revoke } from '../support/access.js';
import { httpSender, simpleSchema, type Send } from '../support/iceberg-http.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { clientToken, createPrincipal, type ServerProcess, startServer } from '../support/server-process.js';
import { tempDir } from '../support/temp.js';

const cluster = usePostgresCluster('lakegate-pg-access-');
const stores: PostgresCatalogStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});
const freshStore = () => cluster.migratedStore('access');

accessControlContract('PostgreSQL', async () => {
  const store = await freshStore();
  return { control: store.access, close: () => store.close() };
});

authorizerDecisions('built-in, PostgreSQL', async () => {
  const store = await freshStore();
  stores.push(store);
  return { control: store.access, authorizer: new RbacAuthorizer(store.access, 0, Date.now) };
});

describe('two replicas on one PostgreSQL: how fast a grant change reaches the other one', () => {
  /** The documented bound: authzCacheSeconds, default 2. */
  const BOUND_MS = 2000;
  let a: ServerProcess;
  let b: ServerProcess;
  let adminA: Send;
  let readerA: Send;
  let readerB: Send;
  let clientId: string;
  const shared = tempDir('lakegate-replicas-');
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const ns = { type: 'namespace' as const, warehouse: 'default', namespace: ['r'] };

  beforeAll(async () => {
    const url = cluster.database('replicas');
    const common = {
      database: url,
      env: {
        LAKEGATE_WAREHOUSE_ROOT: `${shared.dir}/warehouse`,
        LAKEGATE_LOG_LEVEL: 'warn',
        LAKEGATE_PUBLIC_URL: 'http://catalog.lakegate.test',
        LAKEGATE_SECRET_KEY: 'r'.repeat(43) + '=',
      },
    };
    a = await startServer(common);
    b = await startServer(common);
    const admin = a.credential || b.credential;
    adminA = httpSender(a.url, await clientToken(a.url, admin));
    expect((await adminA('POST', '/v1/default/namespaces', { namespace: ['r'] })).status).toBe(200);
    for (const t of ['t', ...[1, 2, 3, 4].flatMap((i) => [`late${i}a`, `late${i}b`])])
      expect((await adminA('POST', '/v1/default/namespaces/r/tables', { name: t, schema: simpleSchema })).status).toBe(200);
    const reader = await createPrincipal({ url: a.url, token: () => clientToken(a.url, admin) }, 'replica-reader');
    clientId = reader.id;
    const token = await clientToken(a.url, reader.credential);
    readerA = httpSender(a.url, token);
    readerB = httpSender(b.url, token);
    await addMember(adminA, 'readers', { kind: 'principal', name: clientId });
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    shared.cleanup();
  });

  const load = (send: Send, table: string) => send('GET', `/v1/default/namespaces/r/tables/${table}`).then((r) => r.status);

  /**
   * What B answered one probe, in ms after `since` (the change, already committed through A): when the last stale
   * answer was asked for (undefined: none was stale), and when the first fresh one was (infinite: none came).
   */
  type Probe = { lastStaleSent: number | undefined; firstFreshSent: number };

  /**
   * Polls B until `table` answers `status`. Each answer is dated by when its request was sent, not by when it came
   * back: a request sent after B's caches expired can only be answered fresh, however slowly a loaded machine
   * serves it, whereas the time an answer takes to come back says nothing about the bound.
   */
  async function settle(table: string, status: number, since: number): Promise<Probe> {
    let lastStaleSent: number | undefined;
    for (;;) {
      const sent = performance.now() - since;
      if ((await load(readerB, table)) === status) return { lastStaleSent, firstFreshSent: sent };
      lastStaleSent = sent;
      if (performance.now() - since > 4 * BOUND_MS) return { lastStaleSent, firstFreshSent: Number.POSITIVE_INFINITY };
      await sleep(20);
    }
  }

  /**
   * The worst case for B: its caches for the reader expire (quiet for longer than the bound), then B decides
   * about table t just before the change (role membership and the decision cached anew), the change is made
   * through A, and B is asked about another table for the first time just before the bound runs out (a decision
   * made from whatever B still holds). Both must show the change within the bound.
   */
  async function measure(change: () => Promise<void>, round: number, status: number): Promise<Record<'repeated' | 'lateHalf' | 'late', Probe>> {
    await sleep(BOUND_MS + 300);
    expect(await load(readerB, 't')).toBe(status === 200 ? 403 : 200);
    await change();
    const since = performance.now();
    // A applies its own change at once.
    expect(await load(readerA, 't')).toBe(status);
    const repeated = settle('t', status, since);
    // First asked just before half the bound (when a membership B cached at the change would still be fresh
    // if B gave it half the bound), and just before the whole bound.
    const lateHalf = sleep(BOUND_MS / 2 - 100).then(() => settle(`late${round}a`, status, since));
    await sleep(BOUND_MS - 150);
    const late = await settle(`late${round}b`, status, since);
    return { repeated: await repeated, lateHalf: await lateHalf, late };
  }

  it('a grant, a revoke, a removed and an added member reach the other replica within authzCacheSeconds', async () => {
    const results: Record<string, Record<'repeated' | 'lateHalf' | 'late', Probe>> = {};
    results.grant = await measure(() => grant(adminA, 'readers', ['table:read-data'], ns), 1, 200);
    results.revoke = await measure(() => revoke(adminA, 'readers', ['table:read-data'], ns), 2, 403);
    await grant(adminA, 'readers', ['table:read-data'], ns);
    results.memberRemoved = await measure(
      async () => {
        expect((await adminA('POST', '/management/v1/roles/readers/members/remove', { kind: 'principal', name: clientId })).status).toBeLessThan(300);
      },
      3,
      403,
    );
    results.memberAdded = await measure(() => addMember(adminA, 'readers', { kind: 'principal', name: clientId }), 4, 200);
    const ms = (t: number | undefined) => (t === undefined ? null : Math.round(t));
    console.log(
      `replica B's last stale and first fresh answer to each probe, by when it was asked for (ms after the change): ${JSON.stringify(
        Object.fromEntries(
          Object.entries(results).map(([k, v]) => [k, Object.fromEntries(Object.entries(v).map(([p, r]) => [p, [ms(r.lastStaleSent), ms(r.firstFreshSent)]]))]),
        ),
      )}`,
    );
    for (const [what, r] of Object.entries(results)) {
      for (const [probe, { lastStaleSent, firstFreshSent }] of Object.entries(r)) {
        // The bound itself, without a margin. Whatever B read from the database before the change, it read before
        // `since`, and what it keeps from such a read (a membership, then a decision made from it: half the bound
        // each, compose/access.ts) is gone BOUND_MS after the read at the latest. A request sent from since +
        // BOUND_MS on is therefore answered from reads made after the change. A loaded machine only makes requests
        // late, which moves them past the bound, where the answer must be fresh: slowness cannot fail this, only a
        // stale answer where none is allowed can.
        expect(lastStaleSent ?? 0, `${what}: ${probe} request on B answered as before the change`).toBeLessThanOrEqual(BOUND_MS);
        // And the change does reach B (it is not enough that no answer was stale: B must answer as after it).
        expect(firstFreshSent, `${what}: ${probe} request on B never answered as after the change`).toBeLessThan(Number.POSITIVE_INFINITY);
      }
    }
  });
});

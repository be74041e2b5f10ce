/**
 * The maintenance scheduler reads the policies of a warehouse's Lance tables once per page of them (the PolicyStore's
 * withPolicies), not once per table on every tick: a tick over five managed Lance tables that carry no policy asks
 * the policy store once. A policy added between ticks is still seen on the next one (the table's cleanup-only job is
 * taken), and one deleted is seen too (no job once the interval has passed). In process on the memory store, the
 * scheduler driven by calling its tick, the catalog's clock moved forward for the interval.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { Policy, PolicyStore } from '../../packages/server/src/catalog/ports/policies.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import type { Send } from '../support/iceberg-http.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let send: Send;
/** The catalog's clock runs this far ahead. */
let ahead = 0;
const TABLES = ['t1', 't2', 't3', 't4', 't5'];

const tick = () => cat.lakegate.services.maintenanceScheduler.tick();

/** The policy store's reads during `run`, whichever of its reading methods the scheduler calls. */
async function policyReads<T>(run: () => Promise<T>): Promise<{ reads: number; value: T }> {
  const policies = cat.lakegate.store.policies as PolicyStore & Record<string, unknown>;
  const spies = (['get', 'listForObject', 'listTables', 'withPolicies'] as const)
    .filter((m) => typeof policies[m] === 'function')
    .map((m) => vi.spyOn(policies, m as 'get'));
  try {
    const value = await run();
    return { reads: spies.reduce((n, s) => n + s.mock.calls.length, 0), value };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

beforeAll(async () => {
  cat = await startInProcess({}, { clock: { now: () => Date.now() + ahead } });
  send = injectSender(cat.lakegate.app);
  expect((await send('POST', `${L}/namespace/sp/create`, {})).status).toBe(200);
  for (const name of TABLES) expect((await send('POST', `${L}/table/sp%24${name}/declare`, {})).status).toBe(200);
  expect((await send('POST', '/management/v1/warehouses/default/properties', { updates: { 'maintenance.interval-ms': '60000' } })).status).toBe(200);
});
afterAll(async () => cat?.close());

it('reads the policies of a page of Lance tables once per tick, and still sees a policy added or deleted between ticks', async () => {
  // Five managed tables, none optimized (compaction off) and none with a policy: no job, one read of the policies.
  const first = await policyReads(tick);
  expect(first.value).toMatchObject({ ran: 0, failed: 0 });
  expect(first.reads).toBe(1);

  // A policy on t3 (written to the store as the management API would): the next tick takes t3's cleanup-only job.
  const record = (await cat.lakegate.store.repository.getObject('default', ['sp'], 't3'))!;
  const warehouse = (await cat.lakegate.store.repository.getWarehouse('default'))!;
  const policy: Policy = {
    id: 'sp-policy',
    tenant: warehouse.tenant,
    warehouse: 'default',
    objectId: record.id,
    kind: 'row-filter',
    roles: ['analysts'],
    filter: true,
    fieldIds: [],
    version: 1,
    createdAtMs: 1,
    updatedAtMs: 1,
  };
  await cat.lakegate.store.policies.insert(policy);
  const second = await policyReads(tick);
  expect(second.value).toMatchObject({ ran: 1, failed: 0 });
  expect(second.reads).toBe(1);
  // Within the interval the job is not due again.
  expect((await tick()).ran).toBe(0);

  // The policy deleted and the interval past: no table has a job.
  expect(await cat.lakegate.store.policies.delete(warehouse.tenant, policy.id)).toBe(true);
  ahead = 61_000;
  expect((await tick()).ran).toBe(0);
});

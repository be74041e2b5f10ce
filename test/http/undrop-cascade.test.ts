/**
 * Soft deletion of a cascading Lance namespace drop, and the undrop location rule (issue 39), in-process on a file
 * warehouse with authentication on. A cascade drops a namespace, its child namespace, two Lance tables and an
 * Iceberg table: every object goes to the dropped objects (in the drop's transaction), its files kept, the namespaces
 * to the dropped namespaces (their undrop: undrop-namespace.test.ts); a table's own undrop asks for its namespace until
 * it exists again, then each comes back with its data, into its own namespace or another. A caller holding table:purge-immediately purges the Lance tables at once (the
 * Iceberg table is still recoverable); both decisions are audited. An undrop is refused (409) when a live object now
 * lies inside the dropped one's location, and when the dropped one would lie inside a live object's location.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeLance, DROPPED as M, LANCE as L, lanceTableWithFile as lanceTable, listDropped } from '../support/dropped-objects.js';
import { type Send, simpleSchema } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startWithCallers } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let engineer: Send;
let purger: Send;
const ENGINEER = [
  'namespace:create',
  'namespace:list',
  'namespace:drop',
  'table:create',
  'table:list',
  'table:read-metadata',
  'table:write-data',
  'table:drop',
  'view:drop',
  'warehouse:undrop',
];
const dropped = () => listDropped(engineer);

beforeAll(async () => {
  const callers = await startWithCallers();
  ({ cat, admin } = callers);
  engineer = (await callers.principal('cascade-engineer', [...ENGINEER, 'warehouse:list-dropped'])).send;
  purger = (await callers.principal('cascade-purger', [...ENGINEER, 'table:purge-immediately'])).send;
});
afterAll(async () => cat?.close());

describe('a cascading Lance namespace drop', () => {
  it('soft-drops every object under it in one go; each comes back with its data once its namespace exists', async () => {
    for (const levels of [['lc'], ['lc', 'inner']])
      expect((await engineer('POST', `${L}/namespace/${encodeURIComponent(levels.join('$'))}/create`, { id: levels })).status).toBe(200);
    const ds1 = await lanceTable(engineer, ['lc'], 'ds1');
    const ds2 = await lanceTable(engineer, ['lc', 'inner'], 'ds2');
    const ice = await engineer('POST', '/v1/default/namespaces/lc/tables', { name: 'ice', schema: simpleSchema });
    expect(ice.status).toBe(200);

    expect((await engineer('POST', `${L}/namespace/lc/drop`, { id: ['lc'], behavior: 'Cascade' })).status).toBe(200);
    expect((await engineer('POST', `${L}/namespace/lc/exists`, { id: ['lc'] })).status).toBe(404);
    expect((await describeLance(engineer, ['lc', 'ds1'])).status).toBe(404);
    expect(existsSync(ds1.file) && existsSync(ds2.file)).toBe(true);
    const listed = await dropped();
    const mine = listed
      .filter((d) => d.kind !== 'namespace' && d.namespace[0] === 'lc')
      .map((d) => `${d.kind}:${d.namespace.join('.')}.${d.name}:${d.purge}`)
      .sort();
    expect(mine).toEqual(['lance-table:lc.ds1:true', 'lance-table:lc.inner.ds2:true', 'table:lc.ice:false']);
    // The decision to keep the Lance data was audited, as for a single drop.
    const audit = (await admin('GET', '/management/v1/audit?action=table:purge-immediately&limit=20')).body.events as Array<{
      decision: string;
      object: string;
      detail: { cascade?: boolean };
    }>;
    expect(audit.some((e) => e.decision === 'deny' && e.object === 'default/lc' && e.detail.cascade === true)).toBe(true);

    // Its namespace was dropped with it: the undrop says to undrop that first (undrop-namespace.test.ts), and nothing moves.
    const id1 = listed.find((d) => d.name === 'ds1')!.id;
    const orphaned = await engineer('POST', `${M}/${id1}/undrop`, {});
    expect(orphaned.status).toBe(404);
    expect(orphaned.body.error.type).toBe('NoSuchNamespaceException');
    expect(orphaned.body.error.message).toMatch(/was dropped with this object: undrop the dropped namespace/);
    expect((await engineer('POST', `${L}/namespace/lc/create`, { id: ['lc'] })).status).toBe(200);
    expect((await engineer('POST', `${M}/${id1}/undrop`, {})).status).toBe(200);
    expect((await describeLance(engineer, ['lc', 'ds1'])).body.location).toBe(ds1.location);
    // The inner table into the parent namespace (its own is gone), the Iceberg table into its own.
    const id2 = listed.find((d) => d.name === 'ds2')!.id;
    expect((await engineer('POST', `${M}/${id2}/undrop`, { namespace: ['lc'] })).status).toBe(200);
    expect((await describeLance(engineer, ['lc', 'ds2'])).body.location).toBe(ds2.location);
    expect((await engineer('POST', `${M}/${listed.find((d) => d.name === 'ice')!.id}/undrop`, {})).status).toBe(200);
    expect((await engineer('GET', '/v1/default/namespaces/lc/tables/ice')).body.metadata['table-uuid']).toBe(ice.body.metadata['table-uuid']);
    expect(existsSync(ds1.file) && existsSync(ds2.file)).toBe(true);
    expect((await dropped()).filter((d) => d.kind !== 'namespace' && d.namespace[0] === 'lc')).toEqual([]);
    // Each Lance table's drop was an event of its own, as for a single drop.
    const events = cat
      .logs()
      .split('\n')
      .filter((l) => l.includes('"lance-table.dropped"') && l.includes('"lc"'));
    expect(events.length).toBeGreaterThanOrEqual(2);
  });

  it('purges the Lance tables at once for a caller holding table:purge-immediately; the Iceberg table stays recoverable', async () => {
    expect((await purger('POST', `${L}/namespace/pc/create`, { id: ['pc'] })).status).toBe(200);
    const ds = await lanceTable(purger, ['pc'], 'ds');
    expect((await purger('POST', '/v1/default/namespaces/pc/tables', { name: 'ice', schema: simpleSchema })).status).toBe(200);
    expect((await purger('POST', `${L}/namespace/pc/drop`, { id: ['pc'], behavior: 'Cascade' })).status).toBe(200);
    expect(existsSync(fileURLToPath(ds.location))).toBe(false);
    expect((await dropped()).filter((d) => d.namespace[0] === 'pc').map((d) => `${d.kind}:${d.name}`)).toEqual(['table:ice']);
  });
});

describe('the undrop location rule', () => {
  it('refuses an undrop when a live object now lies inside the dropped one, or the dropped one inside a live one', async () => {
    expect((await engineer('POST', '/v1/default/namespaces', { namespace: ['loc'] })).status).toBe(200);
    const a = await engineer('POST', '/v1/default/namespaces/loc/tables', { name: 'a', schema: simpleSchema });
    const aLocation = a.body.metadata.location as string;
    expect((await engineer('DELETE', '/v1/default/namespaces/loc/tables/a')).status).toBe(204);
    // A live table inside the dropped one's location.
    const inner = await engineer('POST', '/v1/default/namespaces/loc/tables', { name: 'inner', schema: simpleSchema, location: `${aLocation}/nested` });
    expect(inner.status, JSON.stringify(inner.body)).toBe(200);
    const idA = (await dropped()).find((d) => d.name === 'a')!.id;
    const refusedA = await engineer('POST', `${M}/${idA}/undrop`, {});
    expect(refusedA.status).toBe(409);
    expect(refusedA.body.error.message).toMatch(/at, inside or around the dropped object's location/);

    // The dropped one inside a live table's location.
    const base = path.posix.dirname(aLocation);
    const c = await engineer('POST', '/v1/default/namespaces/loc/tables', { name: 'c', schema: simpleSchema, location: `${base}/custom-outer/c` });
    expect(c.status, JSON.stringify(c.body)).toBe(200);
    expect((await engineer('DELETE', '/v1/default/namespaces/loc/tables/c')).status).toBe(204);
    const around = await engineer('POST', '/v1/default/namespaces/loc/tables', { name: 'around', schema: simpleSchema, location: `${base}/custom-outer` });
    expect(around.status, JSON.stringify(around.body)).toBe(200);
    const idC = (await dropped()).find((d) => d.name === 'c')!.id;
    expect((await engineer('POST', `${M}/${idC}/undrop`, {})).status).toBe(409);

    // Once the live ones go (dropped too), both come back.
    expect((await engineer('DELETE', '/v1/default/namespaces/loc/tables/around')).status).toBe(204);
    expect((await engineer('POST', `${M}/${idC}/undrop`, {})).status).toBe(200);
    expect((await engineer('DELETE', '/v1/default/namespaces/loc/tables/inner')).status).toBe(204);
    expect((await engineer('POST', `${M}/${idA}/undrop`, {})).status).toBe(200);
  });
});

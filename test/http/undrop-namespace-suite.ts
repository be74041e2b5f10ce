/**
 * Undrop of a dropped namespace (issue 39, migration 0021), in-process with authentication on (SQLite:
 * undrop-namespace.test.ts; PostgreSQL: test/interop/undrop-namespace-postgres.test.ts; OpenFGA as the authorizer:
 * test/interop/undrop-namespace-openfga.test.ts): a cascading Lance drop of a namespace with properties, a grant on it, a child namespace, an Iceberg table
 * with a data file, a view and a Lance table keeps the namespaces too; the listing shows them (kind namespace, each
 * object marked with the namespace it was dropped with); a caller without warehouse:list-dropped / warehouse:undrop is
 * refused; a table alone is told to wait for its namespace; the undrop of the namespace (409 while its name is taken,
 * then under a new name) brings back its properties, its grant (a reader on it reads its table again), its child
 * namespace and every object with its id, uuid and files, with events and audit. The retention's end forgets the
 * namespace and deletes the purged (Lance) files.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { type Send, simpleSchema, sqlView } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { tokenOf } from '../support/principals.js';

const DAY = 86_400_000;
const M = '/management/v1/warehouses/default/dropped';
const L = '/lance/default/v1';
const WH = { type: 'warehouse' as const, warehouse: 'default' };
const ENGINEER = [
  'namespace:create',
  'namespace:list',
  'namespace:drop',
  'namespace:update-properties',
  'table:create',
  'table:list',
  'table:read-metadata',
  'table:write-data',
  'table:drop',
  'view:create',
  'view:list',
  'view:read',
  'view:drop',
];
const view = (name: string) => sqlView(name, ['sales'], 'select 1', { timestampMs: Date.now(), properties: {} });
type Dropped = { id: string; kind: string; namespace: string[]; name: string; purge: boolean; location: string; 'dropped-with'?: string };

/** The suite on one database: `env` gives the catalog's environment (LAKEGATE_DATABASE for PostgreSQL). */
export function undropNamespaceSuite(database: string, databaseEnv: () => Promise<Record<string, string>>): void {
  describe(`undrop of a dropped namespace on ${database}`, () => {
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    let cat: TestCatalog;
    let admin: Send;
    let engineer: Send;
    let restorer: Send;
    let reader: Send;
    let readerId: string;

    const token = (clientId: string, clientSecret: string) => tokenOf(cat.lakegate.app, clientId, clientSecret);
    async function principal(name: string, privileges: string[]): Promise<{ send: Send; id: string }> {
      const p = await cat.lakegate.principals.create(name);
      if (privileges.length > 0) await grantPrincipal(admin, p.clientId, privileges, WH);
      return { send: bearerSender(cat.lakegate.app, await token(p.clientId, p.clientSecret)), id: p.clientId };
    }
    const dropped = async (): Promise<Dropped[]> => {
      const res = await restorer('GET', M);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.dropped as Dropped[];
    };
    const fileIn = (location: string, name: string) => {
      const dir = path.join(fileURLToPath(location), 'data');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, name), 'rows');
      return path.join(dir, name);
    };
    const lanceDeclare = async (id: string[]) => {
      const res = await engineer('POST', `${L}/table/${encodeURIComponent(id.join('$'))}/declare`, { id });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.location as string;
    };
    async function eventsAfter(after: string): Promise<any[]> {
      const out: any[] = [];
      for (let cursor = after; ;) {
        const res = await admin('GET', `/management/v1/events?warehouse=default&after=${cursor}&limit=500`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        out.push(...res.body.events);
        cursor = res.body.next;
        if (!res.body.more) return out;
      }
    }
    const describeLance = (id: string[]) => engineer('POST', `${L}/table/${encodeURIComponent(id.join('$'))}/describe`, { id });

    beforeAll(async () => {
      cat = await startInProcess(await databaseEnv(), { auth: true, clock });
      const a = cat.admin();
      admin = bearerSender(cat.lakegate.app, await token(a.client_id, a.client_secret));
      engineer = (await principal('ns-engineer', ENGINEER)).send;
      restorer = (await principal('ns-restorer', ['warehouse:undrop'])).send;
      const r = await principal('ns-reader', []);
      reader = r.send;
      readerId = r.id;
    }, 120_000);
    afterAll(async () => cat?.close());

    it('restores the namespace with its properties, grant, child namespace and every object its drop took', async () => {
      expect((await engineer('POST', '/v1/default/namespaces', { namespace: ['sales'], properties: { owner: 'ana', comment: 'revenue' } })).status).toBe(200);
      expect((await engineer('POST', '/v1/default/namespaces', { namespace: ['sales', 'eu'], properties: { region: 'eu-west-1' } })).status).toBe(200);
      const orders = await engineer('POST', '/v1/default/namespaces/sales/tables', { name: 'orders', schema: simpleSchema });
      expect(orders.status, JSON.stringify(orders.body)).toBe(200);
      const ordersFile = fileIn(orders.body.metadata.location as string, 'part-0.parquet');
      expect((await engineer('POST', '/v1/default/namespaces/sales/views', view('recent'))).status).toBe(200);
      const dsLocation = await lanceDeclare(['sales', 'eu', 'ds']);
      const dsFile = fileIn(dsLocation, 'f.lance');
      // The reader holds its privileges on the namespace only: they come back with it, or not at all.
      await grantPrincipal(admin, readerId, ['namespace:list', 'table:list', 'table:read-metadata'], {
        type: 'namespace',
        warehouse: 'default',
        namespace: ['sales'],
      });
      expect((await reader('GET', '/v1/default/namespaces/sales/tables/orders')).status).toBe(200);

      expect((await engineer('POST', `${L}/namespace/sales/drop`, { id: ['sales'], behavior: 'Cascade' })).status).toBe(200);
      expect((await engineer('GET', '/v1/default/namespaces/sales')).status).toBe(404);
      expect(existsSync(ordersFile) && existsSync(dsFile)).toBe(true);

      // Listing and restoring need their own privileges: the engineer who dropped it holds neither.
      expect((await engineer('GET', M)).status).toBe(403);
      const listed = await dropped();
      const top = listed.find((d) => d.kind === 'namespace' && d.name === 'sales' && d.namespace.length === 0)!;
      expect(top).toBeDefined();
      expect(top['dropped-with']).toBeUndefined();
      const mine = listed.filter((d) => d.id === top.id || d['dropped-with'] === top.id).map((d) => `${d.kind}:${[...d.namespace, d.name].join('.')}`);
      expect(mine.sort()).toEqual(['lance-table:sales.eu.ds', 'namespace:sales', 'namespace:sales.eu', 'table:sales.orders', 'view:sales.recent']);
      expect((await engineer('POST', `${M}/${top.id}/undrop`, {})).status).toBe(403);

      // A table alone: its namespace was dropped with it, so the answer says to undrop that first.
      const ordersId = listed.find((d) => d.name === 'orders')!.id;
      const alone = await restorer('POST', `${M}/${ordersId}/undrop`, {});
      expect(alone.status).toBe(404);
      expect(alone.body.error.message).toContain(`undrop the dropped namespace ${top.id}`);

      // The name was taken meanwhile: 409, nothing moves; under a new name it all comes back.
      expect((await engineer('POST', '/v1/default/namespaces', { namespace: ['sales'] })).status).toBe(200);
      const taken = await restorer('POST', `${M}/${top.id}/undrop`, {});
      expect(taken.status).toBe(409);
      expect(taken.body.error.message).toMatch(/Namespace sales exists: restore the dropped namespace under another name/);
      expect((await dropped()).some((d) => d.id === top.id)).toBe(true);
      const restored = await restorer('POST', `${M}/${top.id}/undrop`, { name: 'sales_restored' });
      expect(restored.status, JSON.stringify(restored.body)).toBe(200);
      expect(restored.body).toMatchObject({ id: top.id, kind: 'namespace', namespace: [], name: 'sales_restored' });

      // Its stored properties, and (as for any namespace without a location property) its effective location under its new name.
      expect((await engineer('GET', '/v1/default/namespaces/sales_restored')).body.properties).toEqual({
        owner: 'ana',
        comment: 'revenue',
        location: expect.stringMatching(/\/sales_restored$/),
      });
      expect((await engineer('GET', '/v1/default/namespaces/sales_restored%1Feu')).body.properties).toEqual({
        region: 'eu-west-1',
        location: expect.stringMatching(/\/sales_restored\/eu$/),
      });
      const back = await engineer('GET', '/v1/default/namespaces/sales_restored/tables/orders');
      expect(back.status).toBe(200);
      expect(back.body.metadata['table-uuid']).toBe(orders.body.metadata['table-uuid']);
      expect((await engineer('GET', '/v1/default/namespaces/sales_restored/views/recent')).status).toBe(200);
      expect((await describeLance(['sales_restored', 'eu', 'ds'])).body.location).toBe(dsLocation);
      expect(existsSync(ordersFile) && existsSync(dsFile)).toBe(true);
      // The grant named the namespace's id, which the undrop kept.
      expect((await reader('GET', '/v1/default/namespaces/sales_restored/tables/orders')).status).toBe(200);
      expect((await reader('GET', '/v1/default/namespaces/sales/tables')).status).toBe(403);
      expect((await dropped()).filter((d) => d.id === top.id || d['dropped-with'] === top.id)).toEqual([]);
      expect((await restorer('POST', `${M}/${top.id}/undrop`, {})).status).toBe(404);

      // Audited as an undrop, and a change event per namespace and object.
      const audit = (await admin('GET', '/management/v1/audit?action=warehouse:undrop&limit=50')).body.events as Array<{ decision: string; object: string }>;
      expect(audit.some((e) => e.decision === 'allow' && e.object === `default/dropped/${top.id}`)).toBe(true);
      expect(audit.some((e) => e.decision === 'deny' && e.object === `default/dropped/${top.id}`)).toBe(true);
      const events = await eventsAfter('0');
      const undropped = events.filter((e) => e.type.endsWith('.undropped')).map((e) => `${e.type}:${e.subject}`);
      // The namespaces first, parent before child, then each object.
      expect(undropped.slice(0, 2)).toEqual(['io.lakegate.namespace.undropped:sales_restored', 'io.lakegate.namespace.undropped:sales_restored.eu']);
      expect(undropped.slice(2).sort()).toEqual([
        'io.lakegate.lance-table.undropped:sales_restored.eu/ds',
        'io.lakegate.table.undropped:sales_restored/orders',
        'io.lakegate.view.undropped:sales_restored/recent',
      ]);
      const nsEvent = events.find((e) => e.type === 'io.lakegate.namespace.undropped' && e.subject === 'sales_restored');
      expect(nsEvent.data).toMatchObject({ 'dropped-object-id': top.id, 'dropped-as': { namespace: ['sales'] } });
      const dropEvent = events.find((e) => e.type === 'io.lakegate.namespace.dropped' && e.subject === 'sales');
      expect(dropEvent.data).toMatchObject({ soft: true, cascade: true, 'dropped-object-id': top.id });
    });

    it('a child namespace alone needs its parent; the retention forgets the namespace and deletes what was purged', async () => {
      expect((await engineer('POST', '/v1/default/namespaces', { namespace: ['tmp'], properties: { owner: 'bo' } })).status).toBe(200);
      expect((await engineer('POST', '/v1/default/namespaces', { namespace: ['tmp', 'inner'] })).status).toBe(200);
      const ice = await engineer('POST', '/v1/default/namespaces/tmp%1Finner/tables', { name: 'keep', schema: simpleSchema });
      expect(ice.status).toBe(200);
      const iceFile = fileIn(ice.body.metadata.location as string, 'part-0.parquet');
      const dsFile = fileIn(await lanceDeclare(['tmp', 'ds']), 'f.lance');
      expect((await engineer('POST', `${L}/namespace/tmp/drop`, { id: ['tmp'], behavior: 'Cascade' })).status).toBe(200);
      const listed = await dropped();
      const inner = listed.find((d) => d.kind === 'namespace' && d.name === 'inner' && d.namespace[0] === 'tmp')!;
      const orphan = await restorer('POST', `${M}/${inner.id}/undrop`, {});
      expect(orphan.status).toBe(404);
      expect(orphan.body.error.message).toContain('Parent namespace does not exist: tmp');

      offset = 8 * DAY;
      try {
        await cat.lakegate.services.dropped.sweep();
      } finally {
        offset = 0;
      }
      expect((await dropped()).filter((d) => d.namespace[0] === 'tmp' || d.name === 'tmp')).toEqual([]);
      expect((await restorer('POST', `${M}/${inner.id}/undrop`, {})).status).toBe(404);
      // A Lance drop deletes its data (after the retention); an Iceberg table's files stay, as for a single drop.
      expect(existsSync(dsFile)).toBe(false);
      expect(existsSync(iceFile)).toBe(true);
    });
  });
}

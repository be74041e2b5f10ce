/**
 * One vocabulary (issue 56): the structured log line of a change derives from the change recorded in the outbox, through
 * the store's one ChangeListener, after COMMIT. A committed change gives exactly one line, with the message and fields
 * operators query (docs/events.md, "Log lines"); a change whose transaction fails after its outbox write gives none.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendUpdates, simpleSchema, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';
import { KyselyRecords } from '../../packages/server/src/persistence/kysely-records.js';

let cat: TestCatalog;
let send: Send;
const T = '/v1/default/namespaces/logged/tables';

/** The catalog's event lines logged since `from` (an offset into the log). */
function lines(from: number): Array<{ msg: string; component: string; event: Record<string, unknown> }> {
  return cat
    .logs()
    .slice(from)
    .split('\n')
    .filter((l) => l.includes('"component":"catalog"'))
    .map((l) => JSON.parse(l));
}

beforeAll(async () => {
  cat = await startInProcess();
  send = injectSender(cat.lakegate.app);
});
afterAll(async () => cat?.close());

describe('log lines derived from recorded changes', () => {
  it('logs each committed change exactly once, with the fields of its recorded event', async () => {
    let mark = cat.logs().length;
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['logged'] })).status).toBe(200);
    expect(lines(mark).map((l) => [l.msg, l.event])).toEqual([
      ['namespace.created', { type: 'namespace.created', warehouse: 'default', eventId: expect.any(String), namespace: ['logged'] }],
    ]);

    mark = cat.logs().length;
    const created = await send('POST', T, { name: 't', schema: simpleSchema });
    expect(created.status).toBe(200);
    const c = appendUpdates(created.body.metadata);
    const committed = await send('POST', `${T}/t`, { requirements: c.requirements, updates: c.updates });
    expect(committed.status).toBe(200);
    expect(
      (await send('POST', '/v1/default/tables/rename', { source: { namespace: ['logged'], name: 't' }, destination: { namespace: ['logged'], name: 't2' } }))
        .status,
    ).toBe(204);
    const logged = lines(mark);
    expect(logged.map((l) => l.msg)).toEqual(['table.created', 'table.committed', 'table.renamed']);
    expect(logged[0]!.event).toMatchObject({
      type: 'table.created',
      warehouse: 'default',
      namespace: ['logged'],
      name: 't',
      metadataLocation: created.body['metadata-location'],
    });
    expect(logged[1]!.event).toMatchObject({ type: 'table.committed', name: 't', metadataLocation: committed.body['metadata-location'] });
    expect(logged[2]!.event).toMatchObject({ type: 'table.renamed', warehouse: 'default', from: 'logged.t', to: 'logged.t2' });
    // Each line names the event it is about: the same id as in the outbox.
    const events = (await send('GET', '/management/v1/events?warehouse=default&limit=1000')).body.events as Array<{ id: string; type: string }>;
    expect(events.filter((e) => e.type === 'io.lakegate.table.committed').map((e) => e.id)).toContain(logged[1]!.event.eventId);
  });

  it('logs nothing for a change whose transaction failed after its outbox write', async () => {
    const base = (await send('GET', `${T}/t2`)).body;
    const mark = cat.logs().length;
    const original = KyselyRecords.prototype.appendEvents;
    const spy = vi.spyOn(KyselyRecords.prototype, 'appendEvents').mockImplementation(async function (this: KyselyRecords, events) {
      await original.call(this, events);
      throw new Error('injected crash between the outbox write and COMMIT');
    });
    try {
      const c = appendUpdates(base.metadata);
      expect((await send('POST', `${T}/t2`, { requirements: c.requirements, updates: c.updates })).status).toBe(500);
      expect((await send('POST', '/v1/default/namespaces', { namespace: ['logged', 'child'] })).status).toBe(500);
    } finally {
      spy.mockRestore();
    }
    expect(lines(mark).filter((l) => l.event !== undefined)).toEqual([]);
    // The same change once it commits: one line.
    const c = appendUpdates(base.metadata);
    expect((await send('POST', `${T}/t2`, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
    expect(lines(mark).map((l) => l.msg)).toEqual(['table.committed']);
  });

  it('logs an outcome the outbox does not carry (a stage-create) once, through the same listener, and records no event for it', async () => {
    const head = (await send('GET', '/management/v1/events?warehouse=default&limit=1000')).body.next as string;
    const mark = cat.logs().length;
    expect((await send('POST', T, { name: 'staged', schema: simpleSchema, 'stage-create': true })).status).toBe(200);
    expect(lines(mark).map((l) => [l.msg, l.event])).toEqual([
      ['table.staged', { type: 'table.staged', warehouse: 'default', namespace: ['logged'], name: 'staged' }],
    ]);
    expect((await send('GET', `/management/v1/events?warehouse=default&after=${head}`)).body.events).toEqual([]);
  });

  it("logs a soft drop as table.dropped and its undrop as object.undropped, with the dropped object's kind and id", async () => {
    const before = cat.logs().length;
    expect((await send('DELETE', `${T}/t2`)).status).toBe(204);
    expect(lines(before).map((l) => [l.msg, l.event])).toEqual([
      ['table.dropped', expect.objectContaining({ warehouse: 'default', namespace: ['logged'], name: 't2' })],
    ]);
    const dropped = (await send('GET', '/management/v1/events?warehouse=default&limit=1000')).body.events
      .filter((e: { type: string }) => e.type === 'io.lakegate.table.dropped')
      .at(-1);
    const id = dropped.data['dropped-object-id'] as string;
    const mark = cat.logs().length;
    expect((await send('POST', `/management/v1/warehouses/default/dropped/${id}/undrop`, {})).status).toBe(200);
    expect(lines(mark).map((l) => [l.msg, l.event])).toEqual([
      ['object.undropped', expect.objectContaining({ type: 'object.undropped', warehouse: 'default', kind: 'table', id, namespace: ['logged'], name: 't2' })],
    ]);
  });
});

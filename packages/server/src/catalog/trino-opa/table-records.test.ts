import { describe, expect, it } from 'vitest';
import type { CatalogObjectRecord, Coherence, CoherenceTopic } from '../ports/index.js';
import type { OutboxEventInput } from '../ports/outbox.js';
import { tenantStream } from '../outbox/tenant-events.js';
import { TrinoTableRecords } from './table-records.js';

/** A coherence whose announcements are kept, and whose listeners a test calls as another process's announcement would. */
function coherence() {
  const announced: Array<[CoherenceTopic, string | undefined]> = [];
  const listeners = new Map<CoherenceTopic, Array<(key: string | undefined) => void>>();
  const c: Coherence = {
    announce: (topic, key) => void announced.push([topic, key]),
    on: (topic, fn) => void listeners.set(topic, [...(listeners.get(topic) ?? []), fn]),
    runExclusive: (_keys, fn) => fn(),
    claim: (_key, fn) => fn(),
  };
  return { c, announced, hear: (topic: CoherenceTopic, key?: string) => listeners.get(topic)?.forEach((fn) => fn(key)) };
}

const record = (id: string) => ({ id, kind: 'table', metadataLocation: `s3://b/${id}.json` }) as unknown as CatalogObjectRecord;
const change = (warehouse: string, kind: string): OutboxEventInput => ({
  id: kind,
  warehouse,
  type: `io.lakegate.${kind}`,
  partitionKey: warehouse,
  timeMs: 0,
  data: {},
});

describe('TrinoTableRecords', () => {
  const setup = (ttlMs = 60_000) => {
    let now = 0;
    const co = coherence();
    let reads = 0;
    const records = new TrinoTableRecords(ttlMs, { now: () => now }, co.c);
    const get = (warehouse: string, name = 't', answer: CatalogObjectRecord | null = record(`${warehouse}.${name}`)) =>
      records.get(warehouse, ['ns'], name, async () => {
        reads++;
        return answer ?? undefined;
      });
    return { records, co, get, reads: () => reads, tick: (ms: number) => (now += ms) };
  };

  it('keeps a record (and an absence) per name until its warehouse changes or the TTL ends', async () => {
    const s = setup();
    expect((await s.get('a'))?.id).toBe('a.t');
    expect((await s.get('a'))?.id).toBe('a.t');
    expect(await s.get('a', 'missing', null)).toBeUndefined();
    expect(await s.get('a', 'missing', null)).toBeUndefined();
    expect(s.reads()).toBe(2);
    s.tick(60_001);
    await s.get('a');
    expect(s.reads()).toBe(3);
  });

  it("drops a warehouse's records when a change of its objects commits here, and announces it", async () => {
    const s = setup();
    await s.get('a');
    await s.get('b');
    s.records.committed([change('a', 'table.renamed')]);
    expect(s.co.announced).toEqual([['objects', 'a']]);
    await s.get('a');
    await s.get('b');
    expect(s.reads()).toBe(3);
  });

  it('ignores changes that touch no record: grants, policies, functions, labels, Lance versions, tenant events', async () => {
    const s = setup();
    await s.get('a');
    s.records.committed(['grant.revoked', 'policy.updated', 'function.created', 'table.labels-set', 'lance-table.version-created'].map((k) => change('a', k)));
    s.records.committed([change(tenantStream('default'), 'role.member-added')]);
    await s.get('a');
    expect(s.reads()).toBe(1);
    expect(s.co.announced).toEqual([]);
  });

  it("drops what another process announces: one warehouse's, or every one's", async () => {
    const s = setup();
    await s.get('a');
    await s.get('b');
    s.co.hear('objects', 'a');
    await s.get('a');
    await s.get('b');
    expect(s.reads()).toBe(3);
    s.co.hear('objects', undefined);
    await s.get('a');
    await s.get('b');
    expect(s.reads()).toBe(5);
  });

  it('does not keep a read that was on its way when its warehouse changed', async () => {
    const s = setup();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = s.records.get('a', ['ns'], 't', async () => {
      await gate;
      return record('old');
    });
    s.co.hear('objects', 'a');
    release();
    expect((await slow)?.id).toBe('old');
    expect((await s.get('a'))?.id).toBe('a.t');
  });

  it('keeps nothing with a TTL of 0', async () => {
    const s = setup(0);
    await s.get('a');
    await s.get('a');
    expect(s.reads()).toBe(2);
  });
});

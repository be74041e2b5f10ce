import { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { ReadRunner } from '../compiled-reads.js';
import { BatchingReads, batchable, mergedSql } from './batched-reads.js';

const POINT = 'select "id", "name" from "catalog_objects" where "warehouse" = $1 and "name" = $2';

/** A database of rows keyed by name; records every statement it is sent, and answers after the test lets it. */
class FakeDatabase implements ReadRunner {
  readonly sent: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  private pending: Array<() => void> = [];
  failNext: Error | undefined;

  async rows<R>(query: CompiledQuery<R>): Promise<R[]> {
    this.sent.push({ sql: query.sql, parameters: query.parameters });
    await new Promise<void>((resolve) => this.pending.push(resolve));
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    return this.answer(query.sql, query.parameters) as R[];
  }

  /** Answers every statement sent so far. */
  async release(): Promise<void> {
    const now = this.pending;
    this.pending = [];
    for (const r of now) r();
    await new Promise((r) => setImmediate(r));
  }

  private answer(sql: string, parameters: readonly unknown[]): unknown[] {
    if (!sql.includes(' union all ')) return parameters[1] === 'missing' ? [] : [{ id: `id-${String(parameters[1])}`, name: parameters[1] }];
    // A merged statement: every part is the point read, its parameters in pairs.
    const parts = sql.split(' union all ');
    expect(parts).toHaveLength(parameters.length / 2);
    const out: unknown[] = [];
    parts.forEach((part, i) => {
      expect(part).toBe(`select ${i} as lg_batch, q.* from (${POINT.replace('$1', `$${2 * i + 1}`).replace('$2', `$${2 * i + 2}`)}) as q`);
      const name = parameters[2 * i + 1];
      if (name !== 'missing') out.push({ lg_batch: i, id: `id-${String(name)}`, name });
    });
    return out.reverse(); // union all promises no order
  }
}

const point = (name: string) => CompiledQuery.raw(POINT, ['lake', name]);

describe('batched PostgreSQL reads', () => {
  it('batches only unordered selects whose parameters are exactly $1..$n', () => {
    expect(batchable(POINT, 2)).toBe(true);
    expect(batchable(`${POINT} order by "name"`, 2)).toBe(false);
    expect(batchable(`${POINT} limit $3`, 3)).toBe(false);
    expect(batchable(`select * from t where a = 'x$1' and b = $1`, 1)).toBe(false);
    expect(batchable(`update t set a = $1`, 1)).toBe(false);
    expect(batchable(POINT, 3)).toBe(false);
    expect(batchable('select 1 as lg_batch', 0)).toBe(false);
  });

  it('renumbers every part past the ones before it, including two-digit placeholders', () => {
    const sql = 'select * from t where a = $1 and b = $10 and c = $2';
    expect(mergedSql(sql, 10, 2)).toBe('select 0 as lg_batch, q.* from (select * from t where a = $1 and b = $10 and c = $2) as q union all select 1 as lg_batch, q.* from (select * from t where a = $11 and b = $20 and c = $12) as q');
  });

  it('sends a read alone when nothing is under way, and the reads that wait meanwhile in one statement, each getting its own rows', async () => {
    const db = new FakeDatabase();
    const reads = new BatchingReads(db);
    const first = reads.rows(point('a'));
    const waiting = ['b', 'missing', 'c', 'd'].map((n) => reads.rows(point(n)));
    expect(db.sent).toEqual([{ sql: POINT, parameters: ['lake', 'a'] }]);
    await db.release();
    expect(await first).toEqual([{ id: 'id-a', name: 'a' }]);
    expect(db.sent).toHaveLength(2);
    expect(db.sent[1]!.parameters).toEqual(['lake', 'b', 'lake', 'missing', 'lake', 'c', 'lake', 'd']);
    await db.release();
    expect(await Promise.all(waiting)).toEqual([[{ id: 'id-b', name: 'b' }], [], [{ id: 'id-c', name: 'c' }], [{ id: 'id-d', name: 'd' }]]);
    // The lane is idle again: the next read goes at once, alone.
    const later = reads.rows(point('e'));
    expect(db.sent).toHaveLength(3);
    expect(db.sent[2]!.sql).toBe(POINT);
    await db.release();
    expect(await later).toEqual([{ id: 'id-e', name: 'e' }]);
  });

  it('sends at most maxBatch reads per statement', async () => {
    const db = new FakeDatabase();
    const reads = new BatchingReads(db, 3);
    const all = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => reads.rows(point(n)));
    for (let i = 0; i < 4; i++) await db.release();
    expect(db.sent.map((s) => s.parameters.length / 2)).toEqual([1, 3, 2]);
    expect((await Promise.all(all)).map((r) => (r[0] as { name: string }).name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('fails every read of a failed statement, and the reads after it still run', async () => {
    const db = new FakeDatabase();
    const reads = new BatchingReads(db);
    const first = reads.rows(point('a'));
    const group = [reads.rows(point('b')), reads.rows(point('c'))];
    await db.release();
    await first;
    db.failNext = new Error('connection terminated');
    const settled = Promise.allSettled(group);
    await db.release();
    expect((await settled).map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.status))).toEqual(['connection terminated', 'connection terminated']);
    const after = reads.rows(point('d'));
    await db.release();
    expect(await after).toEqual([{ id: 'id-d', name: 'd' }]);
  });

  it('passes ordered reads and writes through untouched, concurrently', async () => {
    const db = new FakeDatabase();
    const reads = new BatchingReads(db);
    const ordered = CompiledQuery.raw(`${POINT} order by "name"`, ['lake', 'a']);
    const both = [reads.rows(ordered), reads.rows(ordered)];
    expect(db.sent).toHaveLength(2);
    expect(db.sent.map((s) => s.sql)).toEqual([ordered.sql, ordered.sql]);
    await db.release();
    expect(await Promise.all(both)).toEqual([[{ id: 'id-a', name: 'a' }], [{ id: 'id-a', name: 'a' }]]);
  });
});

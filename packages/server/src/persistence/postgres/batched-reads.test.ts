import { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { ReadRunner } from '../compiled-reads.js';
import { BatchingReads, batchable, distinct, lateralSql, mergedSql } from './batched-reads.js';

const POINT = 'select "id", "name" from "catalog_objects" where "warehouse" = $1 and "name" = $2';

/** A database of rows keyed by name; records every statement it is sent, and answers after the test lets it. */
class FakeDatabase implements ReadRunner {
  readonly sent: Array<{ sql: string; parameters: readonly unknown[] }> = [];
  private pending: Array<() => void> = [];
  failNext: Error | undefined;
  /** Refuses statements of the array form as PostgreSQL does when a placeholder compares with a non-text column. */
  refuseArrays = false;

  async rows<R>(query: CompiledQuery<R>): Promise<R[]> {
    this.sent.push({ sql: query.sql, parameters: query.parameters });
    await new Promise<void>((resolve) => this.pending.push(resolve));
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    if (this.refuseArrays && query.sql.includes('cross join lateral'))
      throw Object.assign(new Error('operator does not exist: bigint = text'), { code: '42883' });
    return this.answer(query.sql, query.parameters) as R[];
  }

  /** Lets what was queued go, answers every statement sent by then, and lets the next groups go. */
  async release(): Promise<void> {
    await turn();
    const now = this.pending;
    this.pending = [];
    for (const r of now) r();
    await turn();
    await turn();
  }

  private answer(sql: string, parameters: readonly unknown[]): unknown[] {
    if (sql.includes('cross join lateral')) {
      // The array form: parameter i of every read in array i.
      expect(sql).toBe(lateralSql(POINT, 2));
      const [warehouses, names] = parameters as string[][];
      expect(warehouses!.length).toBe(names!.length);
      return names!.flatMap((name, i) => (name === 'missing' ? [] : [{ lg_batch: i, id: `id-${name}`, name }])).reverse();
    }
    if (!sql.includes(' union all ')) return parameters[1] === 'missing' ? [] : [{ id: `id-${String(parameters[1])}`, name: parameters[1] }];
    // A merged statement: every part is a read of the same text, its parameters renumbered past the parts before it.
    const parts = sql.split(' union all ');
    const per = parameters.length / parts.length;
    const text = per === 2 ? POINT : NUMERIC;
    expect(sql).toBe(mergedSql(text, per, parts.length));
    const out: unknown[] = [];
    parts.forEach((part, i) => {
      expect(part.startsWith(`select ${i} as lg_batch, q.* from (`)).toBe(true);
      const name = parameters[per * i + 1];
      if (name !== 'missing') out.push({ lg_batch: i, id: `id-${String(name)}`, name });
    });
    return out.reverse(); // union all promises no order
  }
}

/** The end of the event loop's current turn: when a lane sends what waits on it. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

const point = (name: string) => CompiledQuery.raw(POINT, ['lake', name]);
const NUMERIC = 'select "id", "name" from "catalog_objects" where "warehouse" = $1 and "name" = $2 and "version" = $3';

/** The form of a statement sent: the array form, the union form, or a read alone. */
const formOf = (sql: string) => (sql.includes('cross join lateral') ? 'array' : sql.includes(' union all ') ? 'union' : 'alone');

/** One read goes alone and `queued` wait behind it; once it is answered, their statement is sent. Gives the queued reads' answers. */
async function queueBehind(db: FakeDatabase, reads: BatchingReads, lone: CompiledQuery, queued: CompiledQuery[]): Promise<Array<Promise<unknown[]>>> {
  const first = reads.rows(lone);
  await turn();
  const group = queued.map((q) => reads.rows(q));
  await db.release();
  await first;
  return group;
}

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
    expect(mergedSql(sql, 10, 2)).toBe(
      'select 0 as lg_batch, q.* from (select * from t where a = $1 and b = $10 and c = $2) as q union all select 1 as lg_batch, q.* from (select * from t where a = $11 and b = $20 and c = $12) as q',
    );
  });

  it('writes the array form with one text[] per placeholder, whatever the number of reads', () => {
    const sql = 'select * from t where a = $1 and b = $10 and c = $2';
    const ten = lateralSql(sql, 10);
    expect(ten).toBe(
      'select (lg_k.lg_i - 1)::int as lg_batch, q.* from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) ' +
        'with ordinality as lg_k(lg_p1, lg_p2, lg_p3, lg_p4, lg_p5, lg_p6, lg_p7, lg_p8, lg_p9, lg_p10, lg_i) cross join lateral (select * from t where a = lg_k.lg_p1 and b = lg_k.lg_p10 and c = lg_k.lg_p2) as q',
    );
  });

  it('sends a read alone when nothing is under way, and the reads that wait meanwhile in one statement, each getting its own rows', async () => {
    const db = new FakeDatabase();
    const reads = new BatchingReads(db);
    const first = reads.rows(point('a'));
    // Sent at the end of this turn of the event loop, not at once.
    expect(db.sent).toEqual([]);
    await turn();
    const waiting = ['b', 'missing', 'c', 'd'].map((n) => reads.rows(point(n)));
    expect(db.sent).toEqual([{ sql: POINT, parameters: ['lake', 'a'] }]);
    await db.release();
    expect(await first).toEqual([{ id: 'id-a', name: 'a' }]);
    expect(db.sent).toHaveLength(2);
    // Text parameters: one array per placeholder, in the order the reads came.
    expect(db.sent[1]!.parameters).toEqual([
      ['lake', 'lake', 'lake', 'lake'],
      ['b', 'missing', 'c', 'd'],
    ]);
    await db.release();
    expect(await Promise.all(waiting)).toEqual([[{ id: 'id-b', name: 'b' }], [], [{ id: 'id-c', name: 'c' }], [{ id: 'id-d', name: 'd' }]]);
    // The lane is idle again: the next read goes at the end of the turn, alone.
    const later = reads.rows(point('e'));
    await turn();
    expect(db.sent).toHaveLength(3);
    expect(db.sent[2]!.sql).toBe(POINT);
    await db.release();
    expect(await later).toEqual([{ id: 'id-e', name: 'e' }]);
  });

  it('sends the reads of one turn of the event loop together, even when the lane was idle', async () => {
    const db = new FakeDatabase();
    const reads = new BatchingReads(db);
    const same = ['a', 'b', 'c'].map((n) => reads.rows(point(n)));
    await turn();
    expect(db.sent.map((s) => formOf(s.sql))).toEqual(['array']);
    expect(db.sent[0]!.parameters).toEqual([
      ['lake', 'lake', 'lake'],
      ['a', 'b', 'c'],
    ]);
    await db.release();
    expect(await Promise.all(same)).toEqual([[{ id: 'id-a', name: 'a' }], [{ id: 'id-b', name: 'b' }], [{ id: 'id-c', name: 'c' }]]);
  });

  it('reads the same parameters once per statement, and gives every read of them the rows (frozen, each its own list)', async () => {
    const db = new FakeDatabase();
    const reads = new BatchingReads(db);
    const first = reads.rows(point('a'));
    await turn();
    const waiting = ['b', 'c', 'b', 'missing', 'b', 'missing'].map((n) => reads.rows(point(n)));
    await db.release();
    await first;
    expect(db.sent[1]!.parameters).toEqual([
      ['lake', 'lake', 'lake'],
      ['b', 'c', 'missing'],
    ]);
    await db.release();
    const answers = await Promise.all(waiting);
    expect(answers).toEqual([[{ id: 'id-b', name: 'b' }], [{ id: 'id-c', name: 'c' }], [{ id: 'id-b', name: 'b' }], [], [{ id: 'id-b', name: 'b' }], []]);
    expect(answers[0]).not.toBe(answers[2]);
    expect(answers[0]![0]).toBe(answers[2]![0]);
    expect(Object.isFrozen(answers[0]![0])).toBe(true);
    // A row given to one read only is left as it is.
    expect(Object.isFrozen(answers[1]![0])).toBe(false);
    // A group of one read asked several times goes as the plain statement.
    const again = [reads.rows(point('d')), reads.rows(point('d'))];
    await turn();
    expect(db.sent[2]).toEqual({ sql: POINT, parameters: ['lake', 'd'] });
    await db.release();
    expect(await Promise.all(again)).toEqual([[{ id: 'id-d', name: 'd' }], [{ id: 'id-d', name: 'd' }]]);
  });

  it('tells reads apart by the type of each parameter, and never merges reads whose parameters it cannot compare', () => {
    const w = (parameters: unknown[]) => ({ query: CompiledQuery.raw(NUMERIC, parameters), resolve: () => undefined, reject: () => undefined });
    const group = [
      w(['a', 'b', 1]),
      w(['a', 'b', '1']),
      w(['a', 'b', 1]),
      w(['a', 'b', null]),
      w(['a', 'b', 'null']),
      w(['a', 'b', new Date(0)]),
      w(['a', 'b', new Date(0)]),
      w(['ab', '', 1]),
      w(['a', 'b', true]),
      w(['a', 'b', 1n]),
    ];
    const { reads, readOf } = distinct(group);
    expect(readOf).toEqual([0, 1, 0, 2, 3, 4, 5, 6, 7, 0]);
    expect(reads).toHaveLength(8);
  });

  it('sends at most maxBatch reads per statement', async () => {
    const db = new FakeDatabase();
    const reads = new BatchingReads(db, 3);
    const first = reads.rows(point('a'));
    await turn();
    const all = [first, ...['b', 'c', 'd', 'e', 'f'].map((n) => reads.rows(point(n)))];
    for (let i = 0; i < 4; i++) await db.release();
    expect(db.sent.map((s) => (Array.isArray(s.parameters[0]) ? (s.parameters[0] as unknown[]).length : 1))).toEqual([1, 3, 2]);
    expect((await Promise.all(all)).map((r) => (r[0] as { name: string }).name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('fails the reads whose statement could not even be started, and the lane goes on', async () => {
    const db = new FakeDatabase();
    let throwNow = true;
    const throwing: ReadRunner = {
      rows: <R>(q: CompiledQuery<R>) => {
        if (!throwNow) return db.rows(q);
        throwNow = false;
        throw new Error('no connection');
      },
    };
    const reads = new BatchingReads(throwing);
    const both = Promise.allSettled([reads.rows(point('a')), reads.rows(point('b'))]);
    await turn();
    expect((await both).map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.status))).toEqual(['no connection', 'no connection']);
    const after = reads.rows(point('c'));
    await db.release();
    expect(await after).toEqual([{ id: 'id-c', name: 'c' }]);
  });

  it('fails every read of a failed statement, and the reads after it still run', async () => {
    const db = new FakeDatabase();
    const reads = new BatchingReads(db);
    const group = await queueBehind(db, reads, point('a'), [point('b'), point('c')]);
    db.failNext = new Error('connection terminated');
    const settled = Promise.allSettled(group);
    await db.release();
    expect((await settled).map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.status))).toEqual([
      'connection terminated',
      'connection terminated',
    ]);
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

  it('batches reads with parameters other than text in the union form, renumbered', async () => {
    const db = new FakeDatabase();
    const reads = new BatchingReads(db);
    const numeric = (name: string) => CompiledQuery.raw(NUMERIC, ['lake', name, 7]);
    const group = await queueBehind(db, reads, numeric('a'), [numeric('b'), numeric('c')]);
    expect(db.sent[1]!.sql).toBe(mergedSql(NUMERIC, 3, 2));
    expect(db.sent[1]!.parameters).toEqual(['lake', 'b', 7, 'lake', 'c', 7]);
    await db.release();
    expect(await Promise.all(group)).toEqual([[{ id: 'id-b', name: 'b' }], [{ id: 'id-c', name: 'c' }]]);
  });

  it('falls back to the union form for good when PostgreSQL refuses the array form for a type (42883), resending the same reads at once', async () => {
    const db = new FakeDatabase();
    db.refuseArrays = true;
    const reads = new BatchingReads(db);
    const group = await queueBehind(db, reads, point('a'), ['b', 'missing', 'c'].map(point));
    // The array form is sent, refused, and the same three reads go again as one union statement.
    await db.release();
    await db.release();
    expect(await Promise.all(group)).toEqual([[{ id: 'id-b', name: 'b' }], [], [{ id: 'id-c', name: 'c' }]]);
    expect(db.sent.slice(1).map((s) => formOf(s.sql))).toEqual(['array', 'union']);
    // Later groups of this text skip the array form.
    const later = await queueBehind(db, reads, point('d'), [point('e'), point('f')]);
    await db.release();
    expect(await Promise.all(later)).toEqual([[{ id: 'id-e', name: 'e' }], [{ id: 'id-f', name: 'f' }]]);
    expect(db.sent.slice(3).map((s) => formOf(s.sql))).toEqual(['alone', 'union']);
  });

  it('passes on any other error of the array form to every read of the group', async () => {
    const db = new FakeDatabase();
    const reads = new BatchingReads(db);
    const group = await queueBehind(db, reads, point('a'), [point('b'), point('c')]);
    // A missing table is an error of class 42 too, but not the array form's fault: passed on, the form kept.
    db.failNext = Object.assign(new Error('relation "catalog_objects" does not exist'), { code: '42P01' });
    const settled = Promise.allSettled(group);
    await db.release();
    expect((await settled).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(db.sent).toHaveLength(2);
    const later = await queueBehind(db, reads, point('d'), [point('e'), point('f')]);
    await db.release();
    expect(await Promise.all(later)).toEqual([[{ id: 'id-e', name: 'e' }], [{ id: 'id-f', name: 'f' }]]);
    expect(db.sent.at(-1)!.sql).toBe(lateralSql(POINT, 2));
  });
});

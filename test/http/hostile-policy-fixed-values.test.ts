/**
 * A `mask-to-fixed-value` on an Iceberg table, read through the policy-enforced files a restricted plan names
 * (policy-files/fixed-values.ts): the file holds the value the literal names, a date given as a calendar date or a day
 * number, a long given as a JSON number. Before 2026-11-29 the literal was handed to apache-arrow as written: the date
 * column read 1970-01-01 (a day number or text read as milliseconds), and a long failed the rewrite, so every
 * restricted plan of the table failed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { POLICIES, type PeopleTable, peopleTable, plan, planRows } from '../support/policy-people.js';

let t: PeopleTable;
beforeAll(async () => {
  // On the request thread: the sources under test, not the built dist/ a rewrite thread loads.
  t = await peopleTable({ LAKEGATE_REWRITE_THREADS: '0' });
}, 120_000);
afterAll(async () => t?.cat.close());

it('writes a date and a long fixed mask as the values the policy names', async () => {
  for (const [born, day] of [
    ['2000-02-29', Date.UTC(2000, 1, 29)],
    [19_723, Date.UTC(2024, 0, 1)],
  ] as const) {
    const created = await t.admin('POST', POLICIES, {
      kind: 'column-mask',
      roles: ['analysts'],
      masks: [
        { column: 'born', action: 'mask-to-fixed-value', value: born },
        { column: 'id', action: 'mask-to-fixed-value', value: 42 },
      ],
    });
    expect(created.status, stringifyJson(created.body)).toBe(201);
    const rows = await planRows(await plan(await t.member('analysts')));
    expect(rows.length).toBe(t.liveRows().length);
    expect(new Set(rows.map((r) => stringifyJson([r.id, r.born])))).toEqual(new Set([stringifyJson([42n, day])]));
    expect((await t.admin('DELETE', `${POLICIES}/${created.body.id}`)).status).toBe(204);
  }
}, 120_000);

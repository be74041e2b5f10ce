/**
 * Lance tag operations racing a drop of their table (DropTable, and DeregisterTable of a registered dataset), in
 * process on a file warehouse with the real Lance library: every answer is 200 or the table's or tag's absence in
 * Lance's error model (404 code 4 or 8, 409 code 9), never a 5xx nor a stack; a tag event is sent only for a tag write
 * that was answered 200. Before, a CreateTableTag racing the drop was answered 404 code 11 (the table "has no version
 * 1"): the library, opening a table going away, words it so; these rows fail on the old code.
 */
import { Table, makeVector, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin, tokenOf } from '../support/principals.js';

const L = '/lance/default/v1';
let cat: TestCatalog;
let admin: Send;
let adminToken = '';

async function create(name: string): Promise<void> {
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/td%24${name}/create`,
    payload: Buffer.from(tableToIPC(new Table({ id: makeVector(Int32Array.from([1, 2, 3])) }), 'stream')),
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${adminToken}` },
  });
  expect(created.statusCode, created.body).toBe(200);
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
  admin = await signInAdmin(cat);
  const a = cat.admin();
  adminToken = await tokenOf(cat.lakegate.app, a.client_id, a.client_secret);
  expect((await admin('POST', `${L}/namespace/td/create`, {})).status).toBe(200);
}, 120_000);
afterAll(async () => cat?.close());

const shown = (r: { status: number; body: any }) => (r.status === 200 ? '200' : `${r.status}:${r.body?.code}`);

it.each(['drop', 'deregister'])(
  'answers tag operations racing a %s of their table with 200 or 404/409, never a 5xx',
  async (how) => {
    // Never 404 code 11: version 1 is there as long as the table is (before: a tag creation racing the drop was told
    // the table had no version 1).
    const allowed = new Set(['200', '404:4', '404:8', '409:9']);
    for (let round = 0; round < 5; round++) {
      const name = `${how}${round}`;
      await create(name);
      expect((await admin('POST', `${L}/table/td%24${name}/tags/create`, { tag: 'keep', version: 1 })).status).toBe(200);
      const before = (await admin('GET', '/management/v1/events?warehouse=default&limit=1000')).body.next as string;
      const at = (op: string, body: Record<string, unknown>) => admin('POST', `${L}/table/td%24${name}/${op}`, body);
      const answers = await Promise.all([
        at('tags/create', { tag: 'a', version: 1 }),
        at('tags/update', { tag: 'keep', version: 1 }),
        at(how, {}),
        at('tags/create', { tag: 'b', version: 1 }),
        at('tags/delete', { tag: 'keep' }),
        at('tags/list', {}),
        at('tags/version', { tag: 'keep' }),
        at('describe', { tag: 'keep' }),
      ]);
      const seen = answers.map(shown);
      expect(
        seen.filter((s, i) => i !== 2 && !allowed.has(s)),
        `round ${round}: ${answers.map((r) => `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`).join(' | ')}`,
      ).toEqual([]);
      expect(answers[2]!.status, JSON.stringify(answers[2]!.body)).toBe(200);
      for (const r of answers) expect(JSON.stringify(r.body)).not.toMatch(/\.rs:\d+|at [\w.<>]+ \(|node_modules/);
      // One tag event per tag write answered 200, none for a refused one.
      const events = (await admin('GET', `/management/v1/events?warehouse=default&after=${before}&limit=1000`)).body.events as Array<{
        type: string;
        data: { name: string; tag: string };
      }>;
      const tagged = events
        .filter((e) => e.type.startsWith('io.lakegate.lance-table.tag-') && e.data.name === name)
        .map((e) => `${e.type.slice('io.lakegate.lance-table.'.length)} ${e.data.tag}`)
        .sort();
      const written = [
        [0, 'tag-created a'],
        [1, 'tag-updated keep'],
        [3, 'tag-created b'],
        [4, 'tag-deleted keep'],
      ] as const;
      expect(tagged, seen.join(' ')).toEqual(
        written
          .filter(([i]) => answers[i]!.status === 200)
          .map(([, e]) => e)
          .sort(),
      );
      // Gone afterwards: every tag operation is the table's 404.
      for (const [op, body] of [
        ['tags/list', {}],
        ['tags/create', { tag: 'c', version: 1 }],
      ] as const)
        expect(shown(await at(op, body)), op).toBe('404:4');
    }
  },
  240_000,
);

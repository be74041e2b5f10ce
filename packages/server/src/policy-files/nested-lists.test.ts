import { DateDay, Field, Int64, List, Map_, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MaskAction } from '../catalog/ports/policies.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { maskValue } from './masks.js';
import { localBlob, readRowGroups, writeParquet } from './parquet-io.js';
import { parquetRewriter } from './index.js';
import { LocalFileStorage } from '../storage/file/local-file-storage.js';

const labelled = (name: string, type: ConstructorParameters<typeof Field>[1], id: number, nullable = true) =>
  new Field(name, type, nullable, new Map([[FIELD_ID_KEY, String(id)]]));
const emailsType = new List(labelled('element', new Utf8(), 4));
const attrsType = new Map_(new Field('key_value', new Struct([labelled('key', new Utf8(), 5, false), labelled('value', new Utf8(), 6)] as never[]), false));
const datesType = new List(labelled('element', new DateDay(), 7));
const d = (y: number, m: number, day: number) => Date.UTC(y, m - 1, day);

/** id, emails list<string> (id 4 its element), attrs map<string,string> (5 key, 6 value), dates list<date> (7 element). */
function batch(): RecordBatch {
  const schema = new Schema([
    labelled('id', new Int64(), 1),
    labelled('emails', emailsType, 2),
    labelled('attrs', attrsType, 3),
    labelled('dates', datesType, 8),
  ]);
  const children = [
    vectorFromArray([1n, 2n, 3n], new Int64()),
    vectorFromArray([['Ann.Lee@x1.com', null, 'a@b'], null, []], emailsType),
    vectorFromArray(
      [
        new Map([
          ['tier', 'Gold'],
          ['note', null],
        ]),
        null,
        new Map(),
      ],
      attrsType,
    ),
    vectorFromArray([[new Date(d(2024, 7, 14)), null], [], null], datesType),
  ].map((v) => v.data[0]!);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 3, nullCount: 0, children }));
}
const ctx = { querySalt: new Uint8Array(32).fill(7) };
const mask = (action: MaskAction, v: unknown, fixed?: unknown) => maskValue(action, v, ctx, fixed);

async function rewritten(transforms: Array<{ fieldId: number; action: MaskAction; value?: unknown }>) {
  const dir = await mkdtemp(path.join(tmpdir(), 'nested-lists-'));
  try {
    const input = batch();
    await writeParquet(
      path.join(dir, 'in.parquet'),
      (async function* () {
        yield input;
      })(),
    );
    const at = (name: string) => pathToFileURL(path.join(dir, name)).href;
    await parquetRewriter(new LocalFileStorage()).rewrite({
      inputs: [{ uri: at('in.parquet'), format: 'parquet', deletes: [] }],
      filter: undefined,
      transforms,
      output: at('out.parquet'),
      querySalt: ctx.querySalt,
    });
    const rows: Array<Record<string, unknown>> = [];
    let ids: string[] = [];
    for await (const b of readRowGroups(await localBlob(path.join(dir, 'out.parquet')))) {
      const walk = (fields: readonly Field[]): string[] => fields.flatMap((f) => [f.metadata.get(FIELD_ID_KEY) ?? '-', ...walk(f.type.children ?? [])]);
      ids = walk(b.schema.fields);
      for (const r of b.toArray()) {
        const o = r.toJSON() as Record<string, { toArray?(): unknown; toJSON?(): unknown } | null>;
        rows.push({
          emails: o.emails === null ? null : [...(o.emails as unknown as Iterable<unknown>)],
          attrs: o.attrs == null ? null : o.attrs.toJSON!(),
          dates: o.dates === null ? null : [...(o.dates as unknown as Iterable<unknown>)],
        });
      }
    }
    return { rows, ids };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe("masks of a list's elements and a map's values in policy-enforced Parquet files", () => {
  it("applies a string action to every element and every value; the lists' and maps' nulls, empties and keys as stored", async () => {
    const { rows, ids } = await rewritten([
      { fieldId: 4, action: 'show-first-4' },
      { fieldId: 6, action: 'sha-256-global' },
    ]);
    expect(rows.map((r) => [r.emails, r.attrs])).toEqual([
      [[mask('show-first-4', 'Ann.Lee@x1.com'), null, 'a@b'], { tier: mask('sha-256-global', 'Gold'), note: null }],
      [null, null],
      [[], {}],
    ]);
    expect(mask('show-first-4', 'Ann.Lee@x1.com')).toBe('Ann.xxxxxxxxxx');
    // The schema's field ids, every nested field's included, as the input's (a map's entries struct has none).
    expect(ids).toEqual(['1', '2', '4', '3', '-', '5', '6', '8', '7']);
  });

  it('truncates every date of a list, fixes or nulls every element (a null element fixed too, as a column value is)', async () => {
    const truncated = await rewritten([
      { fieldId: 7, action: 'truncate-to-month' },
      { fieldId: 4, action: 'mask-to-fixed-value', value: 'hidden' },
      { fieldId: 6, action: 'replace-with-null' },
    ]);
    expect(truncated.rows).toEqual([
      { emails: ['hidden', 'hidden', 'hidden'], attrs: { tier: null, note: null }, dates: [d(2024, 7, 1), null] },
      { emails: null, attrs: null, dates: [] },
      { emails: [], attrs: {}, dates: null },
    ]);
  });
});

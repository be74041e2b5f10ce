import { Dictionary, Field, FixedSizeList, Float32, Int32, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bindFilter } from '../catalog/kit/expression.js';
import type { Schema as IcebergSchema } from '../catalog/metadata/types.js';
import { FIELD_ID_KEY, applyToBatch } from './apply-batch.js';
import { maskValue } from './masks.js';
import { nullData } from './nested-columns.js';
import { localBlob, readRowGroups, writeParquet } from './parquet-io.js';
import { parquetRewriter } from './index.js';
import { LocalFileStorage } from '../storage/file/local-file-storage.js';

const labelled = (name: string, type: ConstructorParameters<typeof Field>[1], id: number) => new Field(name, type, true, new Map([[FIELD_ID_KEY, String(id)]]));
const personType = new Struct([labelled('name', new Utf8(), 3), labelled('email', new Utf8(), 4)]);
const iceberg: IcebergSchema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    {
      id: 2,
      name: 'person',
      type: {
        type: 'struct',
        fields: [
          { id: 3, name: 'name', type: 'string', required: false },
          { id: 4, name: 'email', type: 'string', required: false },
        ],
      },
      required: false,
    },
    { id: 5, name: 'tier', type: 'string', required: false },
  ],
};
const vectorType = new FixedSizeList(2, new Field('item', new Float32(), true));

/** id, person {name, email} (null in row 2), tier (dictionary-encoded), vector (a fixed-size list, unlabelled: id 6). */
function batch(): RecordBatch {
  const schema = new Schema([
    labelled('id', new Int64(), 1),
    labelled('person', personType, 2),
    labelled('tier', new Dictionary(new Utf8(), new Int32()), 5),
    labelled('vector', vectorType, 6),
  ]);
  const children = [
    vectorFromArray([1n, 2n, 3n, 4n], new Int64()),
    vectorFromArray([{ name: 'ann', email: 'ann@x.org' }, { name: 'bob', email: null }, null, { name: 'di', email: 'di@x.io' }], personType),
    vectorFromArray(['gold', 'free', null, 'gold'], new Dictionary(new Utf8(), new Int32())),
    vectorFromArray(
      [
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
      ],
      vectorType,
    ),
  ].map((v) => v.data[0]!);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 4, nullCount: 0, children }));
}
const ctx = { querySalt: new Uint8Array(32).fill(7) };
const rows = (b: RecordBatch): Record<string, unknown>[] =>
  b.toArray().map((r) => {
    const o = r.toJSON() as Record<string, unknown>;
    const person = o.person as { toJSON(): unknown } | null;
    const vector = o.vector as { toArray(): ArrayLike<number> } | null;
    return { ...o, person: person === null ? null : person.toJSON(), vector: vector == null ? vector : Array.from(vector.toArray()) };
  });

describe("a policy applied to a struct's fields, a dictionary-encoded column and a list", () => {
  it("filters on a struct's field by its field id, a null struct's field null (Iceberg's semantics)", () => {
    const admitted = (raw: unknown) => rows(applyToBatch(batch(), { filter: bindFilter(raw, iceberg, true), masks: [] }, ctx)).map((r) => r.id);
    expect(admitted({ type: 'not-null', term: 'person.name' })).toEqual([1n, 2n, 4n]);
    expect(admitted({ type: 'not-eq', term: 'person.name', value: 'ann' })).toEqual([2n, 3n, 4n]);
    expect(admitted({ type: 'eq', term: 'tier', value: 'gold' })).toEqual([1n, 4n]);
  });

  it('masks a field inside its struct: the sibling and the struct nulls as stored, the values the Iceberg path gives', () => {
    const out = applyToBatch(
      batch(),
      { masks: [{ fieldId: 4, action: 'sha-256-global' }], filter: bindFilter({ type: 'not-eq', term: 'id', value: 2 }, iceberg, true) },
      ctx,
    );
    const hash = (v: string) => maskValue('sha-256-global', v, ctx);
    expect(rows(out).map((r) => r.person)).toEqual([{ name: 'ann', email: hash('ann@x.org') }, null, { name: 'di', email: hash('di@x.io') }]);
    // The struct's schema (field ids included) is the input's.
    expect(String(out.schema.fields[1]!.type)).toBe(String(personType));
    expect(out.schema.fields[1]!.type.children.map((f: Field) => f.metadata.get(FIELD_ID_KEY))).toEqual(['3', '4']);
  });

  it('masks a dictionary-encoded column through its values, and nulls a whole fixed-size list with a child of full length', () => {
    const out = applyToBatch(
      batch(),
      {
        masks: [
          { fieldId: 5, action: 'mask-alphanum' },
          { fieldId: 6, action: 'replace-with-null' },
        ],
      },
      ctx,
    );
    expect(rows(out).map((r) => [r.tier, r.vector])).toEqual([
      ['xxxx', null],
      ['xxxx', null],
      [null, null],
      ['xxxx', null],
    ]);
    const vector = out.getChildAt(3)!.data[0]!;
    expect([vector.nullCount, vector.children[0]!.length]).toEqual([4, 8]);
    // apache-arrow's own builder gives a list of nulls a short child, which arrow-rs (the Lance library) refuses.
    expect(vectorFromArray([null, null], vectorType).data[0]!.children[0]!.length).toBeLessThan(4);
    expect(nullData(vectorType, 2).children[0]!.length).toBe(4);
  });

  it("gives the Iceberg path's policy-enforced Parquet files the same: a struct's field filtered on and masked by its field id (once a 422)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'nested-policy-'));
    try {
      // parquet-wasm writes and reads a struct's fields with their Parquet field ids.
      const schema = new Schema([labelled('id', new Int64(), 1), labelled('person', personType, 2)]);
      const input = new RecordBatch(
        schema,
        makeData({ type: new Struct(schema.fields), length: 4, nullCount: 0, children: batch().data.children.slice(0, 2) }),
      );
      await writeParquet(
        path.join(dir, 'in.parquet'),
        (async function* () {
          yield input;
        })(),
      );
      const at = (name: string) => pathToFileURL(path.join(dir, name)).href;
      const written = await parquetRewriter(new LocalFileStorage()).rewrite({
        inputs: [{ uri: at('in.parquet'), format: 'parquet', deletes: [] }],
        filter: bindFilter({ type: 'not-eq', term: 'person.name', value: 'bob' }, iceberg, true),
        transforms: [{ fieldId: 4, action: 'sha-256-global' }],
        output: at('out.parquet'),
        querySalt: ctx.querySalt,
      });
      expect(written.recordCount).toBe(3);
      const out: Record<string, unknown>[] = [];
      for await (const b of readRowGroups(await localBlob(path.join(dir, 'out.parquet')))) out.push(...rows(b));
      const hash = (v: string) => maskValue('sha-256-global', v, ctx);
      expect(out.map((r) => [r.id, r.person])).toEqual([
        [1n, { name: 'ann', email: hash('ann@x.org') }],
        [3n, null],
        [4n, { name: 'di', email: hash('di@x.io') }],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

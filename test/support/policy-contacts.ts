/**
 * A table of list, map and struct columns for the nested-column policy tests (issue 53): its Iceberg schema, its
 * rows, a Parquet writer of them with the schema's field ids on every nested field (as Iceberg writers label them),
 * and a reader of a plan's files as plain values.
 */
import { fileURLToPath } from 'node:url';
import { DateDay, Field, Int32, Int64, List, Map_, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { FIELD_ID_KEY } from '../../packages/server/src/policy-files/apply-batch.js';
import { localBlob, readRowGroups, writeParquet } from '../../packages/server/src/policy-files/parquet-io.js';

export interface Contact {
  id: bigint;
  emails: Array<string | null> | null;
  attrs: Record<string, string | null> | null;
  address: { city: string | null; zip: string } | null;
  scores: number[];
  /** Days since the epoch as epoch milliseconds (apache-arrow's DateDay values). */
  dates: Array<number | null> | null;
}

/** Field ids as a create assigns them (top-level columns first, then nested fields), so the Parquet ids match. */
export const CONTACTS_SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'emails', type: { type: 'list', 'element-id': 7, element: 'string', 'element-required': false }, required: false },
    {
      id: 3,
      name: 'attrs',
      type: { type: 'map', 'key-id': 8, key: 'string', 'value-id': 9, value: 'string', 'value-required': false },
      required: false,
    },
    {
      id: 4,
      name: 'address',
      type: {
        type: 'struct',
        fields: [
          { id: 10, name: 'city', type: 'string', required: false },
          { id: 11, name: 'zip', type: 'string', required: true },
        ],
      },
      required: false,
    },
    { id: 5, name: 'scores', type: { type: 'list', 'element-id': 12, element: 'int', 'element-required': true }, required: true },
    { id: 6, name: 'dates', type: { type: 'list', 'element-id': 13, element: 'date', 'element-required': false }, required: false },
  ],
};

const DAY = 86_400_000;
export const CONTACTS: Contact[] = [
  {
    id: 1n,
    emails: ['Ann.Lee@x1.com', null, 'a@b'],
    attrs: { tier: 'Gold', phone: '+1 555 0100' },
    address: { city: 'Zürich', zip: '8001' },
    scores: [1, 2],
    dates: [Date.UTC(2024, 6, 14), null],
  },
  { id: 2n, emails: null, attrs: null, address: null, scores: [], dates: null },
  { id: 3n, emails: [], attrs: { note: null }, address: { city: null, zip: '10115' }, scores: [7], dates: [Date.UTC(1999, 11, 31)] },
  { id: 4n, emails: ['bob@y.org'], attrs: {}, address: { city: 'Oslo', zip: '0150' }, scores: [3], dates: [] },
];

const labelled = (name: string, type: ConstructorParameters<typeof Field>[1], id: number, nullable = true) =>
  new Field(name, type, nullable, new Map([[FIELD_ID_KEY, String(id)]]));
const types = {
  emails: new List(labelled('element', new Utf8(), 7)),
  attrs: new Map_(new Field('key_value', new Struct([labelled('key', new Utf8(), 8, false), labelled('value', new Utf8(), 9)] as never[]), false)),
  address: new Struct([labelled('city', new Utf8(), 10), labelled('zip', new Utf8(), 11, false)]),
  scores: new List(labelled('element', new Int32(), 12, false)),
  dates: new List(labelled('element', new DateDay(), 13)),
};

async function* one<T>(item: T): AsyncGenerator<T> {
  yield item;
}

/** One Parquet file of the rows at `uri` (a file: URI). */
export async function writeContacts(uri: string, rows: readonly Contact[]): Promise<void> {
  const fields = [
    labelled('id', new Int64(), 1, false),
    labelled('emails', types.emails, 2),
    labelled('attrs', types.attrs, 3),
    labelled('address', types.address, 4),
    labelled('scores', types.scores, 5, false),
    labelled('dates', types.dates, 6),
  ];
  const columns: unknown[][] = [
    rows.map((r) => r.id),
    rows.map((r) => r.emails),
    rows.map((r) => (r.attrs === null ? null : new Map(Object.entries(r.attrs)))),
    rows.map((r) => r.address),
    rows.map((r) => r.scores),
    rows.map((r) => (r.dates === null ? null : r.dates.map((d) => (d === null ? null : new Date(d))))),
  ];
  const children = columns.map((values, i) => vectorFromArray(values, fields[i]!.type).data[0]!);
  const schema = new Schema(fields);
  await writeParquet(
    fileURLToPath(uri),
    one(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }))),
  );
}

const plain = (v: unknown): unknown => {
  if (v === null || v === undefined || typeof v !== 'object') return v ?? null;
  if (v instanceof Date) return v.getTime();
  // A list's values are a Vector (iterable); a struct's and a map's are rows with toJSON (an object by name or key).
  if (v.constructor.name === 'Vector') return Array.from(v as Iterable<unknown>, plain);
  const json = typeof (v as { toJSON?: unknown }).toJSON === 'function' ? (v as { toJSON(): object }).toJSON() : v;
  return Object.fromEntries(Object.entries(json).map(([k, x]) => [k, plain(x)]));
};

/** The rows of every file a plan names, as plain values (lists as arrays, maps and structs as objects), in id order. */
export async function contactRows(body: { 'file-scan-tasks'?: Array<{ 'data-file': { 'file-path': string } }> }): Promise<Contact[]> {
  const out: Contact[] = [];
  for (const t of body['file-scan-tasks'] ?? []) {
    for await (const b of readRowGroups(await localBlob(fileURLToPath(t['data-file']['file-path']))))
      for (const r of b.toArray()) out.push(plain(r) as Contact);
  }
  return out.sort((a, b) => Number(a.id - b.id));
}

export { DAY };

/** The Parquet field ids of a plan's first file, every nested field's included, depth first. */
export async function fileFieldIds(body: { 'file-scan-tasks'?: Array<{ 'data-file': { 'file-path': string } }> }): Promise<number[]> {
  const ids: number[] = [];
  const walk = (fields: readonly Field[]) =>
    fields.forEach((f) => {
      if (f.metadata.has(FIELD_ID_KEY)) ids.push(Number(f.metadata.get(FIELD_ID_KEY)));
      walk(f.type.children ?? []);
    });
  for await (const b of readRowGroups(await localBlob(fileURLToPath(body['file-scan-tasks']![0]!['data-file']['file-path'])))) {
    walk(b.schema.fields);
    break;
  }
  return ids;
}

/** Small helpers for driving the Iceberg REST API in tests (in-process inject or real HTTP). */
import { expect } from 'vitest';
import { parseJson, stringifyJson } from '../../packages/server/src/catalog/json.js';

export type Send = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: any; headers: Record<string, string> }>;

/** A Send over real HTTP (fetch) with exact 64-bit integers in both directions. */
export function httpSender(baseUrl: string, token?: string): Send {
  return async (method, path, body, headers = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : stringifyJson(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? parseJson(text) : undefined, headers: Object.fromEntries(res.headers.entries()) };
  };
}

/** The columns of the tables the row and column policy tests filter (region) and mask (email, born), by name. */
const PEOPLE_COLUMNS = {
  id: { id: 1, name: 'id', type: 'long', required: true },
  region: { id: 2, name: 'region', type: 'string', required: false },
  email: { id: 3, name: 'email', type: 'string', required: false },
  born: { id: 4, name: 'born', type: 'date', required: false },
};

/** A schema field as the tests write it (`type`: a primitive's name or a nested type). */
export interface TestField {
  id: number;
  name: string;
  type: string | object;
  required: boolean;
}

/** A schema (id 0) of the named policy-test columns, then `more` fields. */
export function peopleSchema(columns: Array<keyof typeof PEOPLE_COLUMNS>, ...more: TestField[]) {
  return { type: 'struct', 'schema-id': 0, fields: [...columns.map((c) => PEOPLE_COLUMNS[c]), ...more] };
}

/** The scan-planning tests' table: an id and the category it is partitioned by. */
export const categorySchema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: false },
    { id: 2, name: 'category', type: 'string', required: false },
  ],
};

export const simpleSchema = {
  type: 'struct' as const,
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'data', type: 'string', required: false },
  ],
};

export interface SqlViewOptions {
  /** The view's schema (default simpleSchema), its SQL's dialect (default spark). */
  schema?: object;
  dialect?: string;
  /** The version's timestamp-ms (default 1) and summary (default empty). */
  timestampMs?: number;
  summary?: Record<string, string>;
  /** The view's properties and location: sent only when given. */
  properties?: Record<string, string>;
  location?: string;
}

/** A view version of one SQL representation: version 1, of schema 0, resolving names in `namespace`. */
export function sqlViewVersion(namespace: string[], sql: string, options: SqlViewOptions = {}) {
  return {
    'version-id': 1,
    'timestamp-ms': options.timestampMs ?? 1,
    'schema-id': 0,
    summary: options.summary ?? {},
    'default-namespace': namespace,
    representations: [{ type: 'sql', sql, dialect: options.dialect ?? 'spark' }],
  };
}

/** A createView body: view `name` whose one version (sqlViewVersion) is `sql`. */
export function sqlView(name: string, namespace: string[], sql: string, options: SqlViewOptions = {}) {
  return {
    name,
    ...(options.location !== undefined ? { location: options.location } : {}),
    schema: options.schema ?? simpleSchema,
    'view-version': sqlViewVersion(namespace, sql, options),
    ...(options.properties !== undefined ? { properties: options.properties } : {}),
  };
}

/** A function (SQL UDF) of one definition, `x + 1` on an int in spark SQL, as the management API puts it. */
export const ADD_ONE_FUNCTION = {
  'format-version': 1,
  definitions: [
    {
      'definition-id': 'int',
      parameters: [{ name: 'x', type: 'int' }],
      'return-type': 'int',
      'function-type': 'udf',
      versions: [{ 'version-id': 1, representations: [{ type: 'sql', dialect: 'spark', sql: 'x + 1' }], 'timestamp-ms': 1 }],
      'current-version-id': 1,
    },
  ],
};

/**
 * The commit that completes a stage-create (CTAS), as Iceberg Java sends it: assert-create, then the staged
 * metadata's uuid, format version, schema, spec, sort order and location.
 */
export function createTransactionCommit(m: any, location: string = m.location) {
  return {
    requirements: [{ type: 'assert-create' }],
    updates: [
      { action: 'assign-uuid', uuid: m['table-uuid'] },
      { action: 'upgrade-format-version', 'format-version': m['format-version'] },
      { action: 'add-schema', schema: m.schemas[0] },
      { action: 'set-current-schema', 'schema-id': -1 },
      { action: 'add-spec', spec: m['partition-specs'][0] },
      { action: 'set-default-spec', 'spec-id': -1 },
      { action: 'add-sort-order', 'sort-order': m['sort-orders'][0] },
      { action: 'set-default-sort-order', 'sort-order-id': -1 },
      { action: 'set-location', location },
    ],
  };
}

let snapshotCounter = 0;

/** The updates of an append: one new snapshot on main, child of the current one. */
export function appendUpdates(metadata: any, manifestList = `${metadata.location}/metadata/snap-${Date.now()}-${snapshotCounter}.avro`) {
  snapshotCounter += 1;
  // A 63-bit id, like Iceberg's: exercises exact int64 handling end to end.
  const id = (BigInt(Date.now()) << 20n) + BigInt(snapshotCounter) + (1n << 61n);
  const parent = metadata['current-snapshot-id'];
  const snapshot: Record<string, unknown> = {
    'snapshot-id': id,
    'timestamp-ms': Date.now(),
    'manifest-list': manifestList,
    summary: { operation: 'append' },
    'schema-id': metadata['current-schema-id'],
  };
  if (parent !== undefined && parent !== null && parent !== -1) snapshot['parent-snapshot-id'] = parent;
  // v1 has no sequence numbers.
  if (metadata['format-version'] >= 2) snapshot['sequence-number'] = (metadata['last-sequence-number'] ?? 0) + 1;
  if (metadata['format-version'] >= 3) {
    snapshot['first-row-id'] = metadata['next-row-id'] ?? 0;
    snapshot['added-rows'] = 10;
  }
  return {
    snapshotId: id,
    requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': parent === -1 || parent === undefined ? null : parent }],
    updates: [
      { action: 'add-snapshot', snapshot },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
    ],
  };
}

/**
 * The commit of a replace transaction (`REPLACE TABLE … AS SELECT`) as Iceberg Java's RESTSessionCatalog sends it
 * after loading `metadata`: assert-table-uuid only, then a new schema (`columns`, default one `label` string, instead
 * of the old columns), spec, sort order, properties and (when given) a new `location`, and the new data's snapshot on
 * main with no parent (its manifest list `manifestList`, default a made-up path).
 */
export function replaceCommit(metadata: any, options: { manifestList?: string; columns?: Array<{ name: string; type: string }>; location?: string } = {}) {
  const columns = options.columns ?? [{ name: 'label', type: 'string' }];
  const fields = columns.map((c, i) => ({ id: (metadata['last-column-id'] ?? 0) + 1 + i, ...c, required: false }));
  const schemaId = Math.max(...metadata.schemas.map((s: any) => s['schema-id'])) + 1;
  const replaced = { ...metadata, location: options.location ?? metadata.location, 'current-snapshot-id': -1, 'current-schema-id': schemaId };
  const append = options.manifestList === undefined ? appendUpdates(replaced) : appendUpdates(replaced, options.manifestList);
  return {
    snapshotId: append.snapshotId,
    requirements: [{ type: 'assert-table-uuid', uuid: metadata['table-uuid'] }],
    updates: [
      { action: 'add-schema', schema: { type: 'struct', 'schema-id': schemaId, fields }, 'last-column-id': fields.at(-1)!.id },
      { action: 'set-current-schema', 'schema-id': -1 },
      { action: 'add-spec', spec: { 'spec-id': 0, fields: [] } },
      { action: 'set-default-spec', 'spec-id': -1 },
      { action: 'add-sort-order', 'sort-order': { 'order-id': 0, fields: [] } },
      { action: 'set-default-sort-order', 'sort-order-id': -1 },
      { action: 'set-properties', updates: { via: 'rtas' } },
      ...(options.location === undefined ? [] : [{ action: 'set-location', location: options.location }]),
      ...append.updates,
    ],
  };
}

/**
 * Asserts that `m` is the table `base` ({metadata, metadata-location} as loaded before) replaced by `replace`
 * (replaceCommit's): the same uuid, the replace's snapshot current, the new schema (`label`) and properties, the old
 * snapshot kept and the old metadata file in the metadata log.
 */
export function expectReplaced(m: any, base: { metadata: any; 'metadata-location': string }, replace: { snapshotId: unknown }): void {
  expect(m['table-uuid']).toBe(base.metadata['table-uuid']);
  expect(String(m['current-snapshot-id'])).toBe(String(replace.snapshotId));
  expect(m.schemas.find((s: any) => s['schema-id'] === m['current-schema-id']).fields.map((f: any) => f.name)).toEqual(['label']);
  expect(m.properties).toMatchObject({ via: 'rtas' });
  expect(m.snapshots.map((s: any) => String(s['snapshot-id']))).toContain(String(base.metadata['current-snapshot-id']));
  expect(m['metadata-log'].map((e: any) => e['metadata-file'])).toContain(base['metadata-location']);
}

/**
 * The catalog every benchmark server gets (the same on each, over plain HTTP), and the request
 * each operation sends. Ids stay below 2^53, so JSON.parse is exact here.
 */
import { getRequest, isSuccess, postRequest, requestOnce } from './load.mjs';

export const NS = 'bench';
export const COMMIT_NS = 'bench_commit';
export const LIST_TABLES = 50;
export const LOAD_TABLE = 't00';
export const SNAPSHOTS = 5;
export const ALL_OPS = ['config', 'loadTable', 'listTables', 'commit'];
/** Operations with one fixed request (the bare server can replay them). */
export const READ_OPS = ['config', 'loadTable', 'listTables'];

export const seedSchema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'customer_id', type: 'long', required: false },
    { id: 3, name: 'ts', type: 'timestamptz', required: false },
    { id: 4, name: 'amount', type: 'decimal(18, 2)', required: false },
    { id: 5, name: 'currency', type: 'string', required: false },
    { id: 6, name: 'status', type: 'string', required: false },
    { id: 7, name: 'tags', type: { type: 'list', 'element-id': 9, element: 'string', 'element-required': false }, required: false },
    { id: 8, name: 'note', type: 'string', required: false },
  ],
};
/** The one-column schema (id long) of the tables the smaller benchmarks create. */
export const idSchema = (required = true) => ({ type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required }] });

export const seedSpec = { 'spec-id': 0, fields: [{ 'source-id': 3, 'field-id': 1000, name: 'ts_day', transform: 'day' }] };

export async function call(server, method, p, body) {
  const res = await fetch(`http://127.0.0.1:${server.port}${server.base}${p}`, {
    method,
    headers: { ...server.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!isSuccess(res.status)) throw new Error(`${server.name}: ${method} ${p} -> ${res.status} ${text.slice(0, 500)}`);
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

let snapshotSeq = 0;
export function appendCommit(metadata) {
  snapshotSeq += 1;
  const id = 1_000_000_000_000_000 + (Date.now() % 1_000_000) * 1000 + snapshotSeq; // < 2^53
  const parent = metadata['current-snapshot-id'];
  const hasParent = parent !== undefined && parent !== null && parent !== -1;
  const snapshot = {
    'snapshot-id': id,
    'sequence-number': (metadata['last-sequence-number'] ?? 0) + 1,
    'timestamp-ms': Date.now(),
    'manifest-list': `${metadata.location}/metadata/snap-${id}-1-${crypto.randomUUID()}.avro`,
    summary: {
      operation: 'append',
      'added-data-files': '4',
      'added-records': '40000',
      'added-files-size': '1843200',
      'total-data-files': String(4 * snapshotSeq),
      'total-records': String(40000 * snapshotSeq),
    },
    'schema-id': metadata['current-schema-id'],
  };
  if (hasParent) snapshot['parent-snapshot-id'] = parent;
  return {
    requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': hasParent ? parent : null }],
    updates: [
      { action: 'add-snapshot', snapshot },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
    ],
  };
}

/** Namespace `bench` with 50 tables (t00 with 5 appends and a property change) and `bench_commit` with `commitTables` tables. */
export async function seed(server, commitTables) {
  await call(server, 'POST', '/namespaces', { namespace: [NS], properties: { owner: 'bench' } });
  await call(server, 'POST', '/namespaces', { namespace: [COMMIT_NS] });
  for (let i = 0; i < LIST_TABLES; i++) {
    const name = `t${String(i).padStart(2, '0')}`;
    await call(server, 'POST', `/namespaces/${NS}/tables`, {
      name,
      schema: seedSchema,
      'partition-spec': seedSpec,
      properties: { 'write.format.default': 'parquet', owner: 'bench' },
    });
  }
  // The loadTable target: a few appends and a property change, so its metadata looks lived-in.
  const tablePath = `/namespaces/${NS}/tables/${LOAD_TABLE}`;
  for (let i = 0; i < SNAPSHOTS; i++) {
    const { body } = await call(server, 'GET', tablePath);
    await call(server, 'POST', tablePath, appendCommit(body.metadata));
  }
  await call(server, 'POST', tablePath, {
    requirements: [],
    updates: [
      { action: 'set-properties', updates: { 'commit.retry.num-retries': '4', 'write.parquet.compression-codec': 'zstd', comment: 'benchmark table' } },
    ],
  });
  for (let i = 0; i < commitTables; i++) {
    await call(server, 'POST', `/namespaces/${COMMIT_NS}/tables`, { name: `c${String(i).padStart(2, '0')}`, schema: seedSchema });
  }
  // Sanity: the list holds all 50 tables on one page; the loaded table has its snapshots.
  const listed = await call(server, 'GET', `/namespaces/${NS}/tables`);
  if (listed.body.identifiers.length !== LIST_TABLES)
    throw new Error(`${server.name}: listTables returned ${listed.body.identifiers.length} tables, expected ${LIST_TABLES}`);
  const loaded = await call(server, 'GET', tablePath);
  if (loaded.body.metadata.snapshots?.length !== SNAPSHOTS)
    throw new Error(`${server.name}: loaded table has ${loaded.body.metadata.snapshots?.length} snapshots`);
  return { loadBytes: Buffer.byteLength(loaded.text), listBytes: Buffer.byteLength(listed.text) };
}

/** The path (and query) of a read operation's request. */
export function opPath(server, op) {
  if (op === 'config') return '/v1/config';
  if (op === 'loadTable') return `${server.base}/namespaces/${NS}/tables/${LOAD_TABLE}`;
  if (op === 'listTables') return `${server.base}/namespaces/${NS}/tables`;
  throw new Error(`no fixed path for ${op}`);
}

/** A function (connection index, per-connection counter) -> request bytes. */
export function requestFactory(server, op, commitTables = 16) {
  if (READ_OPS.includes(op)) {
    const req = getRequest(server, opPath(server, op));
    return () => req;
  }
  // commit: set-properties, no requirements; connection i writes its own key on table i mod N.
  const paths = Array.from({ length: commitTables }, (_, i) => `${server.base}/namespaces/${COMMIT_NS}/tables/c${String(i).padStart(2, '0')}`);
  return (conn, n) =>
    postRequest(server, paths[conn % paths.length], `{"requirements":[],"updates":[{"action":"set-properties","updates":{"bench.writer-${conn}":"${n}"}}]}`);
}

/**
 * Lakegate's exact answers to the read operations (status, header lines in order, body), for the
 * bare server to replay: { path: { status, headers: [[name, value]…], body: base64 } }.
 */
export async function recordResponses(server, ops = READ_OPS) {
  const out = {};
  for (const op of ops) {
    const p = opPath(server, op);
    const r = await requestOnce(server.port, getRequest(server, p));
    if (r.status !== 200 || r.chunked) throw new Error(`${server.name}: recording ${op} got ${r.status}${r.chunked ? ' (chunked)' : ''}`);
    const head = r.raw.toString('latin1', 0, r.headEnd).split('\r\n').slice(1);
    out[p] = {
      status: r.status,
      headers: head.map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
      body: r.raw.subarray(r.bodyStart, r.end).toString('base64'),
    };
  }
  return out;
}

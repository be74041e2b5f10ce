/**
 * The SDK's Iceberg test suite, run against more than one real catalog: Lakegate (test/client/iceberg-catalog.test.ts)
 * and Apache Iceberg's REST fixture server (test/interop/client-iceberg-fixture.test.ts). Operations a server does not
 * advertise in its config `endpoints` are asserted to fail with UnsupportedOperationError before any request is sent,
 * so every test runs against every server and none is skipped.
 */
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CatalogError,
  IcebergRestCatalog,
  type IcebergRestCatalogOptions,
  isConflict,
  isNotFound,
  type LoadTableResult,
  type Namespace,
  type TableIdentifier,
  type TableChange,
  type TableUpdate,
  UnsupportedOperationError,
  type VendedStorageCredential,
} from '@lakegate/client';

/** The snapshot an add-snapshot update carries, and a view version (the SDK's request types name them). */
type Snapshot = Extract<TableUpdate, { action: 'add-snapshot' }>['snapshot'];
type ViewVersion = Extract<TableUpdate, { action: 'add-view-version' }>['view-version'];

/** A running catalog server the suite talks to. */
export interface IcebergSuiteTarget {
  /** How to reach it (uri, auth, warehouse); the suite adds its own recording `fetch`. */
  options: IcebergRestCatalogOptions;
  /** A warehouse whose tables get vended storage credentials (with storage refresh tokens), if the server has one. */
  vending?: IcebergRestCatalogOptions;
  /**
   * How loadTable uses ETags (not visible in the config endpoints): `conditional` sends one and answers 304 to a
   * matching If-None-Match, `ignored` sends one but always answers 200, `none` sends none.
   */
  etags: 'conditional' | 'ignored' | 'none';
  stop(): Promise<void>;
}

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
}

/** A fetch that records what the SDK sends, and may rewrite the config answer (to test endpoint gating). */
function recordingFetch(log: Recorded[], rewriteConfig?: (config: Record<string, unknown>) => Record<string, unknown>): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    log.push({ method: init?.method ?? 'GET', path: url.pathname, query: url.searchParams, headers });
    const response = await fetch(input, init);
    if (!rewriteConfig || !url.pathname.endsWith('/v1/config') || response.status !== 200) return response;
    const config = rewriteConfig((await response.json()) as Record<string, unknown>);
    return new Response(JSON.stringify(config), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

const schema = {
  type: 'struct' as const,
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'data', type: 'string', required: false },
  ],
};

/** Snapshot ids beyond 2^53 (as Iceberg's random 63-bit ids are): they only survive as bigint. */
let snapshotSeq = 0n;
function bigSnapshotId(): bigint {
  snapshotSeq += 1n;
  return 0x7a3f_0000_0000_0000n + (BigInt(Date.now()) << 8n) + snapshotSeq;
}

/** The updates a writer sends for an append: a snapshot, optionally made the head of `main`. */
function appendSnapshot(
  table: LoadTableResult,
  options: { setMain?: boolean; parent?: bigint | number | null } = {},
): { id: bigint; updates: TableChange['updates'] } {
  const id = bigSnapshotId();
  const metadata = table.metadata;
  const sequence = Number(metadata['last-sequence-number'] ?? 0) + 1;
  const snapshot: Snapshot = {
    'snapshot-id': id,
    'sequence-number': sequence,
    'timestamp-ms': Date.now(),
    'manifest-list': `${metadata.location}/metadata/snap-${id}-1-${randomUUID()}.avro`,
    summary: { operation: 'append', 'added-records': '1' },
    'schema-id': 0,
  };
  const parent = options.parent === undefined ? metadata['current-snapshot-id'] : options.parent;
  if (parent !== undefined && parent !== null && parent !== -1) snapshot['parent-snapshot-id'] = parent;
  const updates: TableChange['updates'] = [{ action: 'add-snapshot', snapshot }];
  if (options.setMain !== false) updates.push({ action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id });
  return { id, updates };
}

function viewVersion(namespace: Namespace, versionId: number, sql: string): ViewVersion {
  return {
    'version-id': versionId,
    'timestamp-ms': Date.now(),
    'schema-id': 0,
    summary: { 'engine-name': 'lakegate-sdk-test' },
    representations: [{ type: 'sql', sql, dialect: 'spark' }],
    'default-namespace': namespace,
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function localPath(location: string): string | undefined {
  if (location.startsWith('file:')) return fileURLToPath(location.replace(/^file:\/*/, 'file:///'));
  return location.startsWith('/') ? location : undefined;
}

const names = (ids: TableIdentifier[]) => ids.map((t) => t.name).sort();

/**
 * Registers the suite in the calling test file.
 *
 * @param start starts (or connects to) the server; called once in beforeAll
 */
export function icebergCatalogSuite(start: () => Promise<IcebergSuiteTarget>): void {
  let target: IcebergSuiteTarget;
  let log: Recorded[];
  let catalog: IcebergRestCatalog;
  /** A namespace of its own per test, so tests never see each other's objects. */
  let run = 0;
  const freshNamespace = async (...extra: string[]): Promise<Namespace> => {
    const ns = [`sdk_${process.pid}_${Date.now().toString(36)}_${run++}`, ...extra];
    await catalog.createNamespace(ns);
    return ns;
  };

  beforeAll(async () => {
    target = await start();
    log = [];
    catalog = new IcebergRestCatalog({ ...target.options, fetch: recordingFetch(log) });
  });
  afterAll(async () => {
    await target?.stop();
  });

  describe('config', () => {
    it('negotiates the config once and knows the advertised endpoints', async () => {
      const config = await catalog.config();
      expect(Array.isArray(config.endpoints)).toBe(true);
      expect(await catalog.supports('GET /v1/{prefix}/namespaces')).toBe(true);
      expect(await catalog.supports('POST /v1/{prefix}/namespaces/{namespace}/tables')).toBe(true);
      await catalog.listNamespaces();
      expect(log.filter((r) => r.path.endsWith('/v1/config'))).toHaveLength(1);
    });

    it('refuses operations the server does not advertise without sending them', async () => {
      const own: Recorded[] = [];
      // The server's real config, minus the view and transaction endpoints.
      const gated = new IcebergRestCatalog({
        ...target.options,
        fetch: recordingFetch(own, (c) => ({
          ...c,
          endpoints: (c['endpoints'] as string[]).filter((e) => !e.includes('/views') && !e.includes('/transactions/')),
        })),
      });
      const ns = await gated.createNamespace([`sdk_gated_${Date.now().toString(36)}`]).then((r) => r.namespace);
      const view = { namespace: ns, name: 'v' };
      const refused: Array<[string, () => Promise<unknown>]> = [
        ['listViews', () => gated.listViews(ns)],
        ['createView', () => gated.createView(ns, { name: 'v', schema, 'view-version': viewVersion(ns, 1, 'select 1') })],
        ['loadView', () => gated.loadView(view)],
        ['replaceView', () => gated.replaceView(view, { updates: [] })],
        ['renameView', () => gated.renameView(view, { namespace: ns, name: 'w' })],
        ['dropView', () => gated.dropView(view)],
        ['commitTransaction', () => gated.commitTransaction([])],
      ];
      const before = own.length;
      for (const [operation, call] of refused) {
        const e = await call().catch((err: unknown) => err);
        expect(e, operation).toBeInstanceOf(UnsupportedOperationError);
        expect((e as Error).message).toContain(operation);
      }
      expect(own.slice(before)).toEqual([]);
      await gated.dropNamespace(ns);
    });
  });

  describe('namespaces', () => {
    it('creates nested namespaces, pages through them with small pages, and tells them apart from a dotted name', async () => {
      const root = await freshNamespace();
      for (const child of ['a', 'b', 'c']) await catalog.createNamespace([...root, child], { owner: child });
      await catalog.createNamespace([...root, 'a', 'deep']);
      const before = log.length;
      const children = await collect(catalog.namespaces(root, 1));
      expect(children).toEqual([
        [...root, 'a'],
        [...root, 'b'],
        [...root, 'c'],
      ]);
      const pages = log.slice(before).filter((r) => r.method === 'GET' && r.path.endsWith('/namespaces'));
      expect(pages.length).toBeGreaterThanOrEqual(3);
      expect(pages.every((p) => p.query.get('pageSize') === '1')).toBe(true);
      expect(await collect(catalog.namespaces([...root, 'a']))).toEqual([[...root, 'a', 'deep']]);
      expect(await catalog.loadNamespace([...root, 'b'])).toMatchObject({ owner: 'b' });
      expect(await catalog.namespaceExists([...root, 'a', 'deep'])).toBe(true);
      // Levels are encoded one by one and joined with the server's (encoded) separator, so a level containing a dot
      // stays one level even where the separator is %2E (Iceberg's fixture). Asserted on the wire: the fixture's
      // JdbcCatalog itself stores namespaces dot-joined and could not tell the two apart.
      const separator = (await catalog.config()).overrides?.['namespace-separator'] ?? '%1F';
      await catalog.namespaceExists([...root, 'a.b']);
      expect(log.at(-1)!.path.endsWith(`/namespaces/${root[0]}${separator}a.b`)).toBe(true);
      await catalog.namespaceExists([...root, 'a', 'deep']);
      expect(log.at(-1)!.path.endsWith(`/namespaces/${root[0]}${separator}a${separator}deep`)).toBe(true);
      expect(await catalog.namespaceExists([...root, 'zzz'])).toBe(false);
      const missing = await catalog.loadNamespace([...root, 'zzz']).catch((e: unknown) => e);
      expect(isNotFound(missing)).toBe(true);
      expect((missing as CatalogError).type).toBe('NoSuchNamespaceException');
    });

    it('updates and removes properties and reports the missing ones', async () => {
      const ns = await freshNamespace();
      const set = await catalog.updateNamespaceProperties(ns, { updates: { a: '1', b: '2' } });
      expect(set.updated.sort()).toEqual(['a', 'b']);
      const change = await catalog.updateNamespaceProperties(ns, { updates: { b: '3' }, removals: ['a', 'nope'] });
      expect(change).toEqual({ updated: ['b'], removed: ['a'], missing: ['nope'] });
      const props = await catalog.loadNamespace(ns);
      expect(props['b']).toBe('3');
      expect(props['a']).toBeUndefined();
    });

    it('refuses to create a namespace twice or drop one that is not empty; drops an empty one', async () => {
      const ns = await freshNamespace();
      expect(isConflict(await catalog.createNamespace(ns).catch((e: unknown) => e))).toBe(true);
      await catalog.createTable(ns, { name: 't', schema });
      const notEmpty = await catalog.dropNamespace(ns).catch((e: unknown) => e);
      expect(isConflict(notEmpty)).toBe(true);
      expect((notEmpty as CatalogError).type).toBe('NamespaceNotEmptyException');
      await catalog.dropTable({ namespace: ns, name: 't' });
      await catalog.dropNamespace(ns);
      expect(await catalog.namespaceExists(ns)).toBe(false);
      expect(isNotFound(await catalog.dropNamespace(ns).catch((e: unknown) => e))).toBe(true);
    });
  });

  describe('tables', () => {
    it('creates, lists with small pages, loads and checks existence', async () => {
      const ns = await freshNamespace();
      const created = await catalog.createTable(ns, { name: 't1', schema, properties: { owner: 'sdk' } });
      expect(created.metadata['format-version']).toBeGreaterThanOrEqual(2);
      expect(created.metadata.properties?.['owner']).toBe('sdk');
      for (const name of ['t2', 't3']) await catalog.createTable(ns, { name, schema });
      expect(names(await collect(catalog.tables(ns, 2)))).toEqual(['t1', 't2', 't3']);
      const page = await catalog.listTables(ns, { pageSize: 2 });
      expect(page.items).toHaveLength(2);
      expect(page.nextPageToken).toBeTruthy();
      const loaded = await catalog.loadTable({ namespace: ns, name: 't1' });
      expect(loaded.metadata['table-uuid']).toBe(created.metadata['table-uuid']);
      expect(await catalog.tableExists({ namespace: ns, name: 't1' })).toBe(true);
      expect(await catalog.tableExists({ namespace: ns, name: 'nope' })).toBe(false);
      const e = await catalog.loadTable({ namespace: ns, name: 'nope' }).catch((err: unknown) => err);
      expect(isNotFound(e)).toBe(true);
      expect((e as CatalogError).type).toBe('NoSuchTableException');
      expect(isConflict(await catalog.createTable(ns, { name: 't1', schema }).catch((err: unknown) => err))).toBe(true);
    });

    it('stage-creates a table and commits it with a snapshot, as a CTAS does; 64-bit ids stay exact', async () => {
      const ns = await freshNamespace();
      const staged = await catalog.stageCreateTable(ns, { name: 'ctas', schema, properties: { 'created-by': 'ctas' } });
      expect(staged.identifier).toEqual({ namespace: ns, name: 'ctas' });
      expect(await catalog.tableExists(staged.identifier)).toBe(false);
      expect(await collect(catalog.tables(ns))).toEqual([]);
      const { id, updates } = appendSnapshot(staged.result);
      expect(id > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
      const committed = await staged.commit(updates);
      expect(committed.metadata['current-snapshot-id']).toBe(id);
      const loaded = await catalog.loadTable(staged.identifier);
      expect(loaded.metadata['current-snapshot-id']).toBe(id);
      expect(typeof loaded.metadata['current-snapshot-id']).toBe('bigint');
      expect((loaded.metadata['snapshots'] as Array<Record<string, unknown>>).map((s) => s['snapshot-id'])).toEqual([id]);
      expect(loaded.metadata.properties?.['created-by']).toBe('ctas');
      expect(loaded.metadata['table-uuid']).toBe(staged.result.metadata['table-uuid']);
      // Committing the same staged table again must not overwrite what now exists.
      expect(isConflict(await staged.commit().catch((e: unknown) => e))).toBe(true);
    });

    it('loads only referenced snapshots with snapshots=refs', async () => {
      const ns = await freshNamespace();
      const id = { namespace: ns, name: 't' };
      const t = await catalog.createTable(ns, { name: 't', schema });
      const main = appendSnapshot(t);
      const afterMain = await catalog.commitTable(id, { updates: main.updates });
      // A snapshot no ref points to (e.g. a staged WAP write).
      const orphan = appendSnapshot(afterMain, { setMain: false });
      await catalog.commitTable(id, { updates: orphan.updates });
      const all = await catalog.loadTable(id, { snapshots: 'all' });
      const refs = await catalog.loadTable(id, { snapshots: 'refs' });
      const ids = (r: LoadTableResult) => (r.metadata['snapshots'] as Array<Record<string, unknown>>).map((s) => s['snapshot-id']);
      expect(ids(all).sort()).toEqual([main.id, orphan.id].sort());
      expect(ids(refs)).toEqual([main.id]);
      expect(log.at(-1)!.query.get('snapshots')).toBe('refs');
    });

    it('answers a conditional load with ETag / If-None-Match when the server supports it', async () => {
      const ns = await freshNamespace();
      const id = { namespace: ns, name: 't' };
      await catalog.createTable(ns, { name: 't', schema });
      const first = await catalog.loadTable(id);
      if (target.etags === 'none') {
        expect(first.etag).toBeUndefined();
        return;
      }
      expect(first.etag).toBeTruthy();
      const unchanged = await catalog.loadTable(id, { ifNoneMatch: first.etag! });
      expect(log.at(-1)!.headers['if-none-match']).toBe(first.etag);
      if (target.etags === 'ignored') {
        // The SDK still hands back the full answer.
        expect(unchanged?.metadata['table-uuid']).toBe(first.metadata['table-uuid']);
        return;
      }
      expect(unchanged).toBeUndefined();
      await catalog.commitTable(id, { updates: [{ action: 'set-properties', updates: { k: 'v' } }] });
      const changed = await catalog.loadTable(id, { ifNoneMatch: first.etag! });
      expect(changed?.metadata.properties?.['k']).toBe('v');
      expect(changed?.etag).not.toBe(first.etag);
    });

    it('commits with requirements and reports a stale requirement as a conflict', async () => {
      const ns = await freshNamespace();
      const id = { namespace: ns, name: 't' };
      const t = await catalog.createTable(ns, { name: 't', schema });
      const s1 = appendSnapshot(t);
      const v1 = await catalog.commitTable(id, { requirements: [{ type: 'assert-table-uuid', uuid: t.metadata['table-uuid'] }], updates: s1.updates });
      const s2 = appendSnapshot(v1);
      await catalog.commitTable(id, { requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': s1.id }], updates: s2.updates });
      // A writer that still believes main is at s1:
      const stale = await catalog
        .commitTable(id, {
          requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': s1.id }],
          updates: [{ action: 'set-properties', updates: { lost: 'yes' } }],
        })
        .catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(CatalogError);
      expect(isConflict(stale)).toBe(true);
      expect((stale as CatalogError).type).toBe('CommitFailedException');
      const now = await catalog.loadTable(id);
      expect(now.metadata['current-snapshot-id']).toBe(s2.id);
      expect(now.metadata.properties?.['lost']).toBeUndefined();
    });

    it('renames a table across namespaces', async () => {
      const ns = await freshNamespace();
      const other = await freshNamespace();
      const t = await catalog.createTable(ns, { name: 'old', schema });
      await catalog.renameTable({ namespace: ns, name: 'old' }, { namespace: other, name: 'new' });
      expect(await catalog.tableExists({ namespace: ns, name: 'old' })).toBe(false);
      expect((await catalog.loadTable({ namespace: other, name: 'new' })).metadata['table-uuid']).toBe(t.metadata['table-uuid']);
      expect(isNotFound(await catalog.renameTable({ namespace: ns, name: 'old' }, { namespace: ns, name: 'x' }).catch((e: unknown) => e))).toBe(true);
    });

    it('drops a table keeping its files, registers them again, then drops with purge', async () => {
      const ns = await freshNamespace();
      const id = { namespace: ns, name: 't' };
      const t = await catalog.createTable(ns, { name: 't', schema });
      const s1 = appendSnapshot(t);
      const committed = await catalog.commitTable(id, { updates: s1.updates });
      const location = (await catalog.loadTable(id))['metadata-location']!;
      await catalog.dropTable(id);
      expect(await catalog.tableExists(id)).toBe(false);
      const registered = await catalog.registerTable(ns, 'again', location);
      expect(registered.metadata['table-uuid']).toBe(committed.metadata['table-uuid']);
      expect(registered.metadata['current-snapshot-id']).toBe(s1.id);
      const again = { namespace: ns, name: 'again' };
      expect(isConflict(await catalog.registerTable(ns, 'again', location).catch((e: unknown) => e))).toBe(true);
      await catalog.dropTable(again);
      expect(await catalog.tableExists(again)).toBe(false);
      expect(isNotFound(await catalog.dropTable(again).catch((e: unknown) => e))).toBe(true);

      // Purge on a table without snapshots: the suite writes no data files, and a purge that follows manifest lists
      // (Iceberg's fixture) would fail on the made-up ones above.
      const doomed = await catalog.createTable(ns, { name: 'doomed', schema });
      await catalog.dropTable({ namespace: ns, name: 'doomed' }, { purge: true });
      expect(log.at(-1)!.query.get('purgeRequested')).toBe('true');
      expect(await catalog.tableExists({ namespace: ns, name: 'doomed' })).toBe(false);
      const file = localPath(doomed['metadata-location']!);
      expect(file).toBeDefined();
      expect(existsSync(file!)).toBe(false);
    });

    it('reports scan metrics', async () => {
      const ns = await freshNamespace();
      const t = await catalog.createTable(ns, { name: 't', schema });
      const { updates, id } = appendSnapshot(t);
      await catalog.commitTable({ namespace: ns, name: 't' }, { updates });
      await catalog.reportMetrics(
        { namespace: ns, name: 't' },
        {
          'report-type': 'scan-report',
          'table-name': [...ns, 't'].join('.'),
          'snapshot-id': id,
          filter: true,
          'schema-id': 0,
          'projected-field-ids': [1, 2],
          'projected-field-names': ['id', 'data'],
          metrics: { 'total-planning-duration': { count: 1, 'time-unit': 'nanoseconds', 'total-duration': 1_000_000 } },
        },
      );
      const sent = log.at(-1)!;
      expect(sent.method).toBe('POST');
      expect(sent.path).toMatch(/\/tables\/t\/metrics$/);
    });
  });

  describe('vended credentials', () => {
    it('loads credentials where the server offers them, or refuses with UnsupportedOperationError', async () => {
      const ns = await freshNamespace();
      await catalog.createTable(ns, { name: 't', schema });
      const id = { namespace: ns, name: 't' };
      if (!(await catalog.supports('GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials'))) {
        const before = log.length;
        const e = await catalog.loadCredentials(id).catch((err: unknown) => err);
        expect(e).toBeInstanceOf(UnsupportedOperationError);
        expect(log.length).toBe(before);
        return;
      }
      const answer = await catalog.loadCredentials(id);
      expect(Array.isArray(answer['storage-credentials'])).toBe(true);
    });

    it('refreshes the credential of a staged (uncommitted) table through its storage refresh token', async () => {
      if (!target.vending) {
        // Without a vending warehouse the server must at least not advertise what it cannot do.
        expect(await catalog.supports('GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials')).toBe(false);
        return;
      }
      const vending = new IcebergRestCatalog({ ...target.vending, fetch: recordingFetch(log) });
      const ns = [`sdk_vend_${Date.now().toString(36)}`];
      await vending.createNamespace(ns);
      const staged = await vending.stageCreateTable(ns, { name: 'ctas', schema }, { accessDelegation: 'vended-credentials' });
      expect(log.at(-1)!.headers['x-iceberg-access-delegation']).toBe('vended-credentials');
      const [credential] = (staged.result['storage-credentials'] ?? []) as VendedStorageCredential[];
      expect(credential).toBeDefined();
      const refreshToken = credential!['storage-refresh-token'];
      expect(refreshToken).toBeTruthy();
      const refreshed = await vending.loadCredentials(staged.identifier, { storageRefreshToken: refreshToken! });
      expect(refreshed['storage-credentials'][0]!.prefix).toBe(credential!.prefix);
      expect(Object.keys(refreshed['storage-credentials'][0]!.config).length).toBeGreaterThan(0);
      // The refresh token travels in the query; the SDK's errors never show it.
      const wrong = await vending.loadCredentials({ namespace: ns, name: 'other' }, { storageRefreshToken: refreshToken! }).catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(CatalogError);
      expect(String(wrong)).not.toContain(refreshToken!);
      const { updates } = appendSnapshot(staged.result);
      await staged.commit(updates);
      const loaded = await vending.loadTable(staged.identifier, { accessDelegation: 'vended-credentials' });
      expect(loaded['storage-credentials']?.length).toBeGreaterThan(0);
    });
  });

  describe('views', () => {
    it('creates, lists, loads, replaces, renames and drops a view', async () => {
      const ns = await freshNamespace();
      const other = await freshNamespace();
      const created = await catalog.createView(ns, {
        name: 'v',
        schema,
        'view-version': viewVersion(ns, 1, 'select id from t'),
        properties: { comment: 'first' },
      });
      expect(created.metadata['current-version-id']).toBe(1);
      expect(names(await collect(catalog.views(ns, 1)))).toEqual(['v']);
      const id = { namespace: ns, name: 'v' };
      expect(await catalog.viewExists(id)).toBe(true);
      const loaded = await catalog.loadView(id);
      expect(loaded.metadata['view-uuid']).toBe(created.metadata['view-uuid']);

      const replaced = await catalog.replaceView(id, {
        requirements: [{ type: 'assert-view-uuid', uuid: created.metadata['view-uuid'] }],
        updates: [
          { action: 'add-view-version', 'view-version': viewVersion(ns, 2, 'select id, data from t') },
          { action: 'set-current-view-version', 'view-version-id': -1 },
        ],
      });
      expect(replaced.metadata['current-version-id']).toBe(2);
      const stale = await catalog.replaceView(id, { requirements: [{ type: 'assert-view-uuid', uuid: randomUUID() }], updates: [] }).catch((e: unknown) => e);
      expect(isConflict(stale)).toBe(true);

      await catalog.renameView(id, { namespace: other, name: 'w' });
      expect(await catalog.viewExists(id)).toBe(false);
      const moved = { namespace: other, name: 'w' };
      expect((await catalog.loadView(moved)).metadata['current-version-id']).toBe(2);
      await catalog.dropView(moved);
      expect(await catalog.viewExists(moved)).toBe(false);
      const gone = await catalog.loadView(moved).catch((e: unknown) => e);
      expect(isNotFound(gone)).toBe(true);
      expect((gone as CatalogError).type).toBe('NoSuchViewException');
    });
  });

  describe('multi-table transactions', () => {
    it('applies all changes or none', async () => {
      const ns = await freshNamespace();
      const a = { namespace: ns, name: 'a' };
      const b = { namespace: ns, name: 'b' };
      const ta = await catalog.createTable(ns, { name: 'a', schema });
      const tb = await catalog.createTable(ns, { name: 'b', schema });
      const failing = await catalog
        .commitTransaction([
          {
            identifier: a,
            requirements: [{ type: 'assert-table-uuid', uuid: ta.metadata['table-uuid'] }],
            updates: [{ action: 'set-properties', updates: { tx: '1' } }],
          },
          { identifier: b, requirements: [{ type: 'assert-table-uuid', uuid: randomUUID() }], updates: [{ action: 'set-properties', updates: { tx: '1' } }] },
        ])
        .catch((e: unknown) => e);
      expect(isConflict(failing)).toBe(true);
      expect((await catalog.loadTable(a)).metadata.properties?.['tx']).toBeUndefined();

      const sa = appendSnapshot(ta);
      await catalog.commitTransaction([
        { identifier: a, requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }], updates: sa.updates },
        {
          identifier: b,
          requirements: [{ type: 'assert-table-uuid', uuid: tb.metadata['table-uuid'] }],
          updates: [{ action: 'set-properties', updates: { tx: '2' } }],
        },
      ]);
      expect((await catalog.loadTable(a)).metadata['current-snapshot-id']).toBe(sa.id);
      expect((await catalog.loadTable(b)).metadata.properties?.['tx']).toBe('2');
    });
  });

  describe('idempotency keys', () => {
    it('sends a fresh Idempotency-Key on every mutation exactly when the server advertises support', async () => {
      const advertised = (await catalog.config())['idempotency-key-lifetime'] !== undefined;
      const ns = await freshNamespace();
      const before = log.length;
      await catalog.createTable(ns, { name: 't', schema });
      await catalog.commitTable({ namespace: ns, name: 't' }, { updates: [{ action: 'set-properties', updates: { a: 'b' } }] });
      await catalog.loadTable({ namespace: ns, name: 't' });
      await catalog.dropTable({ namespace: ns, name: 't' });
      await catalog.dropNamespace(ns);
      const sent = log.slice(before);
      const mutations = sent.filter((r) => r.method === 'POST' || r.method === 'DELETE');
      const reads = sent.filter((r) => r.method === 'GET' || r.method === 'HEAD');
      expect(mutations).toHaveLength(4);
      expect(reads.length).toBeGreaterThan(0);
      expect(reads.every((r) => r.headers['idempotency-key'] === undefined)).toBe(true);
      const keys = mutations.map((r) => r.headers['idempotency-key']);
      if (advertised) {
        expect(keys.every((k) => typeof k === 'string' && k.length >= 16)).toBe(true);
        expect(new Set(keys).size).toBe(keys.length);
      } else {
        expect(keys).toEqual([undefined, undefined, undefined, undefined]);
      }
    });
  });
}

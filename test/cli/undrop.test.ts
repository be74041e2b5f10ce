/**
 * `lakegate undrop` and `lakegate maintain` as users run them (the built bin, through the SDK's management client,
 * against a real server process): a dropped table is listed, restored under its name, or under a new one when a new
 * table took the name (a conflict, exit code 1, without --as); a table's maintenance runs as a dry run and for real,
 * and bad settings are refused (1: the server's 400; 2: usage). A namespace a cascading drop took is listed as kind
 * namespace and restored, under a new name when its own was taken (--as with one level), with its table.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type CliRun, type CliSession, jsonOf, startCliSession } from '../support/cli.js';
import { httpSender } from '../support/iceberg-http.js';
import type { ServerProcess } from '../support/server-process.js';

const SLOW = 120_000;
let cli: CliSession;
let server: ServerProcess;
const lakegate = (...args: string[]): Promise<CliRun> => cli.run(args);
const json = jsonOf;

beforeAll(async () => {
  cli = await startCliSession('lakegate-cli-undrop-');
  server = cli.server;
  expect((await lakegate('ns', 'create', 'sales')).code).toBe(0);
}, SLOW);
afterAll(async () => cli?.close());

it(
  'lists a dropped table and restores it, under a new name when its own was taken',
  async () => {
    expect((await lakegate('table', 'create', 'sales.orders', '--column', 'id:long')).code).toBe(0);
    const before = json(await lakegate('table', 'describe', 'sales.orders', '--json'));
    expect((await lakegate('table', 'drop', 'sales.orders')).code).toBe(0);
    const listed = json(await lakegate('undrop', 'ls', '--json')).dropped as Array<{ id: string; name: string; kind: string }>;
    const entry = listed.find((d) => d.name === 'orders')!;
    expect(entry.kind).toBe('table');
    const text = await lakegate('undrop', 'ls');
    expect(text.stdout).toContain(entry.id);
    expect(text.stdout).toContain('sales.orders');

    expect((await lakegate('table', 'create', 'sales.orders', '--column', 'id:long')).code).toBe(0);
    const taken = await lakegate('undrop', entry.id);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/taken/);
    const restored = await lakegate('undrop', entry.id, '--as', 'sales.orders_v1');
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('sales.orders_v1');
    const after = json(await lakegate('table', 'describe', 'sales.orders_v1', '--json'));
    expect(JSON.stringify(after)).toContain(String(before.uuid ?? before['table-uuid'] ?? before.metadata?.['table-uuid']));
    expect((await lakegate('undrop', 'nope-id')).code).toBe(1);
    expect((await lakegate('undrop')).code).toBe(0);
  },
  SLOW,
);

it(
  'runs a table maintenance dry run and for real, and refuses bad settings',
  async () => {
    const dry = json(await lakegate('maintain', 'sales.orders', '--dry-run', '--min-snapshots-to-keep', '1', '--json'));
    expect(dry).toMatchObject({ 'dry-run': true, 'expired-snapshots': [] });
    const done = await lakegate('maintain', 'sales.orders', '--orphans-only');
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/0 snapshot\(s\) expired; removed 0 file\(s\)/);
    // The job as the catalog recorded it: done, with its last counts.
    const status = await lakegate('maintain', 'sales.orders', '--status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^done \(started \d{4}-.*; 0 file\(s\), 0 byte\(s\) deleted/);
    expect(json(await lakegate('maintain', 'sales.orders', '--status', '--json'))).toMatchObject({
      state: 'done',
      progress: { phase: 'done', 'files-deleted': 0 },
    });
    expect((await lakegate('maintain', 'sales.orders', '--min-snapshots-to-keep', '0')).code).toBe(1);
    expect((await lakegate('maintain', 'sales.orders', '--max-snapshot-age-ms', '-5')).code).toBe(2);
    expect((await lakegate('maintain')).code).toBe(2);
    // Compaction: nothing to compact in a table without data; an absurd target is the server's 400.
    const compact = await lakegate('maintain', 'sales.orders', '--compact');
    expect(compact.code, compact.stderr).toBe(0);
    expect(compact.stdout).toMatch(/nothing to compact/);
    expect(json(await lakegate('maintain', 'sales.orders', '--compact', '--json')).compaction).toMatchObject({ outcome: 'nothing-to-do' });
    // Unasked, the unsorted table is bin-packed; --sort-order (columns by name) is sent as the API's sort fields.
    expect(json(await lakegate('maintain', 'sales.orders', '--compact', '--json')).compaction).toMatchObject({ strategy: 'binpack' });
    expect(json(await lakegate('maintain', 'sales.orders', '--compact', '--sort-order', 'id DESC NULLS LAST', '--json')).compaction).toMatchObject({
      outcome: 'nothing-to-do',
      strategy: 'sort',
    });
    expect((await lakegate('maintain', 'sales.orders', '--compact', '--sort-order', 'nope desc')).code).toBe(2);
    // zorder(...) is sent as the API's z-order (field ids), and the job names the strategy.
    expect(json(await lakegate('maintain', 'sales.orders', '--compact', '--sort-order', 'zorder(id)', '--json')).compaction).toMatchObject({
      outcome: 'nothing-to-do',
      strategy: 'zorder',
    });
    expect((await lakegate('maintain', 'sales.orders', '--compact', '--sort-order', 'zorder(id, nope)')).code).toBe(2);
    expect((await lakegate('maintain', 'sales.orders', '--compact', '--sort-order', 'id', '--strategy', 'binpack')).code).toBe(1);
    expect((await lakegate('maintain', 'sales.orders', '--sort-order', 'id')).code).toBe(2);
    expect((await lakegate('maintain', 'sales.orders', '--compact', '--target-file-size-bytes', '5')).code).toBe(1);
    expect((await lakegate('maintain', 'sales.orders', '--compact', '--orphans-only')).code).toBe(2);
    // Manifest rewrite: nothing to merge in a table without data; an absurd target is the server's 400.
    const manifests = await lakegate('maintain', 'sales.orders', '--rewrite-manifests', '--dry-run');
    expect(manifests.code, manifests.stderr).toBe(0);
    expect(manifests.stdout).toMatch(/no manifests to merge/);
    expect(json(await lakegate('maintain', 'sales.orders', '--rewrite-manifests', '--json')).manifests).toMatchObject({ outcome: 'nothing-to-do' });
    expect((await lakegate('maintain', 'sales.orders', '--rewrite-manifests', '--target-manifest-size-bytes', '5')).code).toBe(1);
    expect((await lakegate('maintain', 'sales.orders', '--rewrite-manifests', '--compact')).code).toBe(2);
  },
  SLOW,
);

it(
  "passes compaction's partial progress and file-group size to the server (issue 59), and refuses them where they do not apply",
  async () => {
    // The in-process rewriter commits once: a real run with partial progress is the server's 400 (exit 1), naming
    // the Spark executor it needs; a dry run plans the same and is answered.
    const refused = await lakegate('maintain', 'sales.orders', '--compact', '--partial-progress-max-commits', '3');
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/partial-progress.*spark executor/);
    expect((await lakegate('maintain', 'sales.orders', '--compact', '--partial-progress')).stderr).toMatch(/spark executor/);
    const dry = await lakegate('maintain', 'sales.orders', '--compact', '--dry-run', '--partial-progress-max-commits', '3', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(json(dry).compaction).toMatchObject({ outcome: 'nothing-to-do' });
    // Out of the server's bounds: its 400 (1 to 1000 commits; 1 MiB to 16 GiB a group).
    const many = await lakegate('maintain', 'sales.orders', '--compact', '--dry-run', '--partial-progress-max-commits', '1001');
    expect(many.code).toBe(1);
    expect(many.stderr).toMatch(/max-commits/);
    expect(
      json(await lakegate('maintain', 'sales.orders', '--compact', '--dry-run', '--max-file-group-size-bytes', '1048576', '--json')).compaction,
    ).toMatchObject({
      outcome: 'nothing-to-do',
    });
    expect((await lakegate('maintain', 'sales.orders', '--compact', '--max-file-group-size-bytes', '5')).code).toBe(1);
    // Iceberg's size range and delete thresholds: passed on, the server's 400 an exit 1, a ratio not a decimal an exit 2.
    const thresholds = ['--min-file-size-bytes', '0', '--max-file-size-bytes', '4294967296', '--delete-file-threshold', '3', '--delete-ratio-threshold', '0.2'];
    expect(json(await lakegate('maintain', 'sales.orders', '--compact', '--dry-run', ...thresholds, '--json')).compaction).toMatchObject({
      outcome: 'nothing-to-do',
    });
    expect((await lakegate('maintain', 'sales.orders', '--compact', '--delete-ratio-threshold', '1.5')).stderr).toMatch(/delete-ratio-threshold/);
    expect((await lakegate('maintain', 'sales.orders', '--compact', '--delete-ratio-threshold', 'most')).code).toBe(2);
    // Usage errors (exit 2), in the CLI's words.
    const word = await lakegate('maintain', 'sales.orders', '--compact', '--partial-progress-max-commits', 'ten');
    expect(word.code).toBe(2);
    expect(word.stderr).toMatch(/--partial-progress-max-commits expects a whole number, got "ten"/);
    const alone = await lakegate('maintain', 'sales.orders', '--partial-progress');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--partial-progress goes with --compact/);
    expect((await lakegate('maintain', 'sales.orders', '--optimize', '--partial-progress-max-commits', '2')).code).toBe(2);
    expect((await lakegate('maintain', 'sales.orders', '--help')).stdout).toMatch(/--partial-progress-max-commits N/);
  },
  SLOW,
);

it(
  'lists a namespace a cascading drop took and restores it with its table, under a new name when its own was taken',
  async () => {
    expect((await lakegate('ns', 'create', 'staging')).code).toBe(0);
    expect((await lakegate('table', 'create', 'staging.raw', '--column', 'id:long')).code).toBe(0);
    const send = httpSender(server.url, await server.token());
    expect((await send('POST', '/lance/default/v1/namespace/staging/drop', { id: ['staging'], behavior: 'Cascade' })).status).toBe(200);
    const listed = json(await lakegate('undrop', 'ls', '--json')).dropped as Array<{ id: string; name: string; kind: string; namespace: string[] }>;
    const ns = listed.find((d) => d.kind === 'namespace' && d.name === 'staging')!;
    expect(ns.namespace).toEqual([]);
    const text = await lakegate('undrop', 'ls');
    expect(text.stdout).toMatch(new RegExp(`${ns.id}\\s+namespace\\s+staging\\s`));
    expect(text.stdout).toContain('staging.raw');

    expect((await lakegate('ns', 'create', 'staging')).code).toBe(0);
    const taken = await lakegate('undrop', ns.id);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/Namespace staging exists/);
    const restored = await lakegate('undrop', ns.id, '--as', 'staging_v1');
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('Restored namespace staging_v1');
    expect((await lakegate('table', 'describe', 'staging_v1.raw')).code).toBe(0);
    expect(json(await lakegate('undrop', 'ls', '--json')).dropped.filter((d: { name: string }) => d.name === 'staging' || d.name === 'raw')).toEqual([]);
  },
  SLOW,
);

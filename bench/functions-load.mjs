/**
 * What loadFunction's read costs on SQLite (docs/benchmarks.md, "Functions on the load path"): the catalog_functions
 * primary-key read (KyselyFunctions.get, what every loadFunction runs: functions have no read memo) against the
 * object row read loadView runs when its memo misses (repository.getObject), on the built server (npm run build
 * first). 10,000 functions and 10,000 views in one namespace, each read 20,000 times at spread-out keys, five rounds,
 * median. A function's metadata here is ~600 bytes (two overloads), a view's ~700.
 *
 *   node bench/functions-load.mjs
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteCatalogStore } from '../packages/server/dist/persistence/sqlite/sqlite-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lakegate-bench-functions-'));
const store = new SqliteCatalogStore(path.join(dir, 'catalog.sqlite'));
await store.migrate();
const N = 10_000;
const def = (t) => ({
  'definition-id': t,
  parameters: [{ name: 'x', type: t }],
  'return-type': t,
  'function-type': 'udf',
  versions: [
    {
      'version-id': 1,
      representations: [
        { type: 'sql', dialect: 'spark', sql: 'x + 1' },
        { type: 'sql', dialect: 'trino', sql: 'x + 1' },
      ],
      'timestamp-ms': 1,
    },
  ],
  'current-version-id': 1,
});
const fnJson = (i) =>
  JSON.stringify({
    'function-uuid': `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    'format-version': 1,
    definitions: [def('int'), def('double')],
    'definition-log': [
      {
        'timestamp-ms': 1,
        'definition-versions': [
          { 'definition-id': 'int', 'version-id': 1 },
          { 'definition-id': 'double', 'version-id': 1 },
        ],
      },
    ],
  });
const viewJson = (i) =>
  JSON.stringify({
    'view-uuid': `v${i}`,
    'format-version': 1,
    location: `s3://b/v${i}`,
    'current-version-id': 1,
    versions: [
      {
        'version-id': 1,
        'timestamp-ms': 1,
        'schema-id': 0,
        summary: {},
        'default-namespace': ['ns'],
        representations: [{ type: 'sql', sql: 'select * from orders where region = 1', dialect: 'spark' }],
      },
    ],
    'version-log': [{ 'version-id': 1, 'timestamp-ms': 1 }],
    schemas: [{ 'schema-id': 0, type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] }],
    properties: {},
  });
for (let i = 0; i < N; i++) {
  await store.functions.put({ warehouse: 'w', namespace: ['ns'], name: `f${i}`, uuid: `u${i}`, metadataJson: fnJson(i), createdAtMs: 1, updatedAtMs: 1 });
  await store.repository.insertObject({
    id: `id${i}`,
    warehouse: 'w',
    namespace: ['ns'],
    name: `v${i}`,
    kind: 'view',
    uuid: `v${i}`,
    location: `s3://b/v${i}`,
    metadataLocation: `s3://b/v${i}/m.json`,
    metadataJson: viewJson(i),
    createdAtMs: 1,
    updatedAtMs: 1,
  });
}
const R = 20_000;
async function run(read) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < R; i++) await read((i * 7919) % N);
  return Number(process.hrtime.bigint() - t) / R / 1000;
}
const rounds = { fn: [], view: [] };
for (let r = 0; r < 5; r++) {
  rounds.fn.push(await run((k) => store.functions.get('w', ['ns'], `f${k}`)));
  rounds.view.push(await run((k) => store.repository.getObject('w', ['ns'], `v${k}`)));
}
const med = (a) => a.sort((x, y) => x - y)[2].toFixed(1);
console.log(`median of 5 x ${R}: function read ${med(rounds.fn)} µs, view row read ${med(rounds.view)} µs`);
await store.close();
rmSync(dir, { recursive: true, force: true });

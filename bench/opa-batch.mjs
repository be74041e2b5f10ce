// Benchmark: Trino's batched OPA filtering (opa.policy.batched-uri, issue 54) at scale: FilterTables of 1,000 /
// 10,000 / 50,000 resources, as Trino sends when a user lists information_schema or SHOW TABLES of a large catalog.
// One Lakegate server (SQLite, one worker, authorization on); a catalog of 4 namespaces × 250 tables, a user granted
// one namespace and a few tables through a role bound to an asserted group. The resources name those tables and as
// many missing ones (half each), round-robin over the namespaces. Each batch is asked `--repeat` times (default 3; the first
// after a restart of the caches' TTL is not separated: the decision cache is warm after the first ask).
// Prints a Markdown table: wall ms and server CPU ms per request (median of the repeats), allowed count.
// FilterSchemas: the same sizes, half of them the 4 namespaces and half distinct missing schemas.
// --database postgres: the catalog on a PostgreSQL of its own (scripts/peers/postgres.sh) instead of SQLite.
// --authorizer openfga: decisions by an OpenFGA v1.22 (scripts/peers/openfga.sh, in-memory datastore) instead of the
// built-in grants; then its CPU per request is reported too (the server's own CPU no longer holds the checks).
// Usage: node bench/opa-batch.mjs [--sizes 1000,10000,50000] [--repeat 3] [--operations FilterTables,FilterSchemas]
//   [--database sqlite|postgres] [--authorizer builtin|openfga] [--repo DIR (another checkout's build: before/after)]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from './lib/load.mjs';
import { startOpenFga } from './lib/openfga.mjs';
import { log, stopChild, tempDir } from './lib/proc.mjs';
import { sendJson, startLakegate, startPostgresCluster } from './lib/servers.mjs';

const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const SIZES = (arg('--sizes') ?? '1000,10000,50000').split(',').map(Number);
const REPEAT = Number(arg('--repeat') ?? 3);
const OPERATIONS = (arg('--operations') ?? 'FilterTables,FilterSchemas').split(',');
const DATABASE = arg('--database') ?? 'sqlite';
const AUTHORIZER = arg('--authorizer') ?? 'builtin';
if (!['sqlite', 'postgres'].includes(DATABASE)) throw new Error(`--database: sqlite or postgres, not ${DATABASE}`);
if (!['builtin', 'openfga'].includes(AUTHORIZER)) throw new Error(`--authorizer: builtin or openfga, not ${AUTHORIZER}`);
const NAMESPACES = ['sales', 'hr', 'ops', 'web'];
const TABLES = 250;

/** The CPU time (ms) the process has used, from /proc (Linux). */
function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const dir = tempDir('lakegate-bench-opa-batch-');
const postgres = DATABASE === 'postgres' ? await startPostgresCluster() : undefined;
const fga = AUTHORIZER === 'openfga' ? await startOpenFga(path.join(dir, 'openfga')) : undefined;
const lakegate = await startLakegate({
  auth: 'required',
  principal: 'admin',
  dataDir: path.join(dir, 'lakegate'),
  ...(postgres ? { database: postgres.createDatabase('opa_batch') } : {}),
  ...(fga ? { env: { LAKEGATE_AUTHORIZER: 'openfga', LAKEGATE_OPENFGA_URL: fga.url, LAKEGATE_OPENFGA_STORE_ID: fga.storeId } } : {}),
  ...(arg('--repo') ? { repo: arg('--repo') } : {}),
});
try {
  const { url, token } = lakegate;
  const as = { token };
  await sendJson('POST', `${url}/management/v1/warehouses`, { name: 'lake', 'storage-root': `file://${dir}/lake`, 'storage-profile': { type: 'file' } }, as);
  const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };
  for (const ns of NAMESPACES) {
    await sendJson('POST', `${url}/v1/lake/namespaces`, { namespace: [ns] }, as);
    for (let i = 0; i < TABLES; i += 25)
      await Promise.all(Array.from({ length: 25 }, (_, j) => sendJson('POST', `${url}/v1/lake/namespaces/${ns}/tables`, { name: `t${i + j}`, schema }, as)));
  }
  const engine = await sendJson(
    'POST',
    `${url}/management/v1/principals`,
    { name: 'trino', delegation: { users: [{ issuer: 'asserted', name: 'alice' }], 'assert-identity': true } },
    as,
  );
  const id = engine['client-id'];
  const key = (await sendJson('POST', `${url}/management/v1/principals/${id}/api-keys`, { name: 'opa' }, as))['api-key'];
  await sendJson('PUT', `${url}/management/v1/warehouses/lake/policy-enforcers/${id}`, { mechanism: 'trino-opa', 'trino-catalog': 'lake' }, as);
  await sendJson('POST', `${url}/management/v1/roles`, { name: 'analysts' }, as);
  await sendJson('POST', `${url}/management/v1/roles/analysts/members`, { kind: 'group', issuer: 'asserted', name: 'analysts' }, as);
  const grant = (securable) => sendJson('POST', `${url}/management/v1/grants`, { role: 'analysts', privileges: ['table:read-data'], securable }, as);
  await grant({ type: 'namespace', warehouse: 'lake', namespace: ['hr'] });
  for (let i = 0; i < 10; i++) await grant({ type: 'table', warehouse: 'lake', namespace: ['sales'], name: `t${i}` });

  const rows = [];
  for (const operation of OPERATIONS)
    for (const size of SIZES) {
      const filterResources = Array.from({ length: size }, (_, i) =>
        operation === 'FilterSchemas'
          ? { schema: { catalogName: 'lake', schemaName: ((i >> 2) & 1) === 0 ? NAMESPACES[i % NAMESPACES.length] : `missing${i}` } }
          : {
              table: {
                catalogName: 'lake',
                schemaName: NAMESPACES[i % NAMESPACES.length],
                tableName: ((i >> 2) & 1) === 0 ? `t${(i >> 3) % TABLES}` : `missing${i}`,
              },
            },
      );
      const body = JSON.stringify({
        input: {
          context: { identity: { user: 'alice', groups: ['analysts'] }, softwareStack: { trinoVersion: '476' } },
          action: { operation, filterResources },
        },
      });
      const walls = [];
      const cpus = [];
      const fgaCpus = [];
      let allowed = 0;
      for (let r = 0; r < REPEAT; r++) {
        const cpu0 = cpuMs(lakegate.child.pid);
        const fga0 = fga ? cpuMs(fga.pid) : 0;
        const requests0 = fga ? await fga.requests() : {};
        const t0 = performance.now();
        const res = await fetch(`${url}/management/v1/trino-opa/batch?api-key=${encodeURIComponent(key)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        const answer = await res.json();
        if (res.status !== 200)
          throw new Error(`batch of ${size} answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}\n${lakegate.child.output().slice(-3000)}`);
        walls.push(performance.now() - t0);
        cpus.push(cpuMs(lakegate.child.pid) - cpu0);
        if (fga) {
          fgaCpus.push(cpuMs(fga.pid) - fga0);
          const requests = await fga.requests();
          const delta = Object.entries(requests)
            .map(([k, v]) => [k, v - (requests0[k] ?? 0)])
            .filter(([, v]) => v > 0);
          log(`OpenFGA requests: ${delta.map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
        }
        allowed = answer.result.length;
        log(`${operation} ${size}: ${walls.at(-1).toFixed(0)} ms wall, ${cpus.at(-1).toFixed(0)} ms CPU, ${allowed} allowed`);
      }
      const fgaCell = fga ? ` ${median(fgaCpus).toFixed(0)} |` : '';
      rows.push(`| ${operation} | ${size.toLocaleString('en')} | ${median(walls).toFixed(0)} | ${median(cpus).toFixed(0)} |${fgaCell} ${allowed} |`);
    }
  console.log(
    `load average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (${os.availableParallelism()} cores)`,
  );
  console.log(`database ${DATABASE}, authorizer ${AUTHORIZER}`);
  console.log(`| operation | resources | wall ms (median) | server CPU ms (median) |${fga ? ' OpenFGA CPU ms (median) |' : ''} allowed |`);
  console.log(`|---|---|---|---|${fga ? '---|' : ''}---|`);
  for (const row of rows) console.log(row);
} finally {
  await stopChild(lakegate.child);
  fga?.stop();
  postgres?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

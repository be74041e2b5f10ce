// Benchmark: Trino's OPA decision endpoints served by Lakegate (issue 54): the allow decision Trino asks for every
// SELECT (SelectFromColumns), a batch column-mask answer (three columns, one masked: SQL written per answer) and a
// row-filter answer, each for a restricted user (restricted through a role bound to a group Trino names) through a
// declared trino-opa enforcer, the engine's API key in the URI as the plugin sends it. One Lakegate server (SQLite,
// one worker, authorization on).
// With --opa, the same requests go to a stock OPA server (scripts/peers/opa.sh, v1.22.3) evaluating the equivalent
// Rego policy bench/opa/trino.rego over a data document made from the same roles, grants and policies (the SQL of the
// filter and the mask taken from Lakegate's own answers: a stock OPA has no Iceberg expression to write it from), and
// to the bare-Node gauge (bench/bare-server.mjs answering Lakegate's recorded bytes: what any Node server spends on
// the exchange). Both answer the same (checked before measuring, for a restricted and an unknown user). Servers
// alternate cell by cell, in a rotated order each round, so a load that comes and goes on a shared machine falls on
// all of them; each figure is the median over the rounds.
// Prints a Markdown table: decisions/s, p99, server CPU per decision and decisions per core-second.
// Usage: node bench/trino-opa.mjs [--quick] [--opa] [--bearer] [--key-cache SECONDS] [--rounds N] [--conns 1,16,64] [--cpu-prof DIR (Lakegate's profile)]
//   [--kinds allow,rowFilters,batchColumnMasks] [--repo DIR (another checkout's build: an A/B pair of runs)]
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { median, postRequest, requestOnce, runCell, warmup } from './lib/load.mjs';
import { startOpa } from './lib/opa.mjs';
import { log, REPO_ROOT, stopChild, tempDir } from './lib/proc.mjs';
import { clientToken, sendJson, startBare, startLakegate } from './lib/servers.mjs';

const quick = process.argv.includes('--quick');
const withOpa = process.argv.includes('--opa');
// --bearer: the engine authenticates with a bearer token of its own (client credentials) instead of its API key in
// the URI (Trino 476's plugin cannot send one; a proxy in front of Lakegate could): what the API key's lookups cost.
const withBearer = process.argv.includes('--bearer');
const SECONDS = quick ? 2 : 5;
const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const CONCURRENCY = (arg('--conns') ?? (withOpa ? '64' : '1,16,64')).split(',').map(Number);
const ROUNDS = Number(arg('--rounds') ?? (withOpa ? 3 : 1));

const dir = tempDir('lakegate-bench-trino-opa-');
const stops = [];
try {
  // --key-cache N: LAKEGATE_KEY_CACHE_SECONDS=N (the engine's API key read once per N s instead of per decision).
  const keyCache = arg('--key-cache');
  const lakegate = await startLakegate({
    auth: 'required',
    principal: 'admin',
    dataDir: path.join(dir, 'lakegate'),
    cpuProf: arg('--cpu-prof'),
    ...(arg('--repo') ? { repo: arg('--repo') } : {}),
    env: keyCache === undefined ? {} : { LAKEGATE_KEY_CACHE_SECONDS: keyCache },
  });
  stops.push(() => stopChild(lakegate.child));
  const { url, port, token: admin } = lakegate;
  const as = { token: admin };
  await sendJson('POST', `${url}/management/v1/warehouses`, { name: 'lake', 'storage-root': `file://${dir}/lake`, 'storage-profile': { type: 'file' } }, as);
  await sendJson('POST', `${url}/v1/lake/namespaces`, { namespace: ['sales'] }, as);
  const schema = {
    type: 'struct',
    'schema-id': 0,
    fields: [
      { id: 1, name: 'id', type: 'long', required: true },
      { id: 2, name: 'region', type: 'string', required: false },
      { id: 3, name: 'email', type: 'string', required: false },
    ],
  };
  await sendJson('POST', `${url}/v1/lake/namespaces/sales/tables`, { name: 'orders', schema }, as);
  const columns = schema.fields;
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
  const grant = { privilege: 'table:read-data', catalog: 'lake', schema: 'sales', table: 'orders' };
  await sendJson(
    'POST',
    `${url}/management/v1/grants`,
    { role: 'analysts', privileges: [grant.privilege], securable: { type: 'table', warehouse: 'lake', namespace: ['sales'], name: 'orders' } },
    as,
  );
  const policies = `${url}/management/v1/warehouses/lake/namespaces/sales/tables/orders/policies`;
  await sendJson('POST', policies, { kind: 'row-filter', roles: ['analysts'], filter: { type: 'gt', term: columns[0].name, value: 10 } }, as);
  await sendJson('POST', policies, { kind: 'column-mask', roles: ['analysts'], masks: [{ column: 'email', action: 'show-first-4' }] }, as);

  const table = { catalogName: 'lake', schemaName: 'sales', tableName: 'orders' };
  const input = (action, user = 'alice') =>
    JSON.stringify({ input: { context: { identity: { user, groups: ['analysts', 'staff'] }, softwareStack: { trinoVersion: '476' } }, action } });
  const actions = [
    ['allow (SelectFromColumns)', 'allow', 'allow', { operation: 'SelectFromColumns', resource: { table: { ...table, columns: columns.map((c) => c.name) } } }],
    ['row-filters', 'row-filters', 'rowFilters', { operation: 'GetRowFilters', resource: { table } }],
    [
      'batch-column-masks (3 columns)',
      'batch-column-masks',
      'batchColumnMasks',
      {
        operation: 'GetColumnMask',
        filterResources: columns.map((c) => ({ column: { ...table, columnName: c.name, columnType: c.type === 'string' ? 'varchar' : 'bigint' } })),
      },
    ],
  ];
  const bearer = withBearer ? { authorization: `Bearer ${await clientToken(url, `${id}:${engine['client-secret']}`)}` } : {};
  const lgPath = (suffix) => (withBearer ? `/management/v1/trino-opa/${suffix}` : `/management/v1/trino-opa/${suffix}?api-key=${encodeURIComponent(key)}`);
  const srv = { name: 'lakegate', port, headers: bearer, pids: () => [lakegate.child.pid] };
  const servers = [srv];
  const only = arg('--kinds')?.split(',');
  const every = actions.map(([label, suffix, rule, action]) => ({
    label,
    suffix,
    rule,
    action,
    make: { lakegate: () => postRequest(srv, lgPath(suffix), input(action)) },
  }));
  const kinds = every.filter((k) => !only || only.includes(k.rule));

  if (withOpa) {
    // Lakegate's answers: the gauge replays them, and the OPA data document takes the filter's and mask's SQL from them.
    const answers = {};
    const recorded = {};
    for (const k of every) {
      const res = await fetch(`${url}${lgPath(k.suffix)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer },
        body: input(k.action),
      });
      const body = Buffer.from(await res.arrayBuffer());
      if (res.status !== 200) throw new Error(`${k.suffix} answered ${res.status}: ${body}`);
      answers[k.rule] = JSON.parse(body.toString()).result;
      recorded[lgPath(k.suffix)] = { status: 200, headers: [...res.headers], body: body.toString('base64') };
    }
    const maskOf = (column) => answers.batchColumnMasks.find((m) => m.index === columns.findIndex((c) => c.name === column)).viewExpression.expression;
    const data = {
      lakegate: {
        users: ['alice'],
        catalogs: { lake: 'lake' },
        members: { user: {}, group: { analysts: ['analysts'] } },
        grants: { analysts: [grant] },
        implies: {
          'table:write-data': ['table:write-data', 'table:read-data', 'table:read-metadata'],
          'table:read-data': ['table:read-data', 'table:read-metadata'],
          'table:read-metadata': ['table:read-metadata'],
          'table:drop': ['table:drop'],
        },
        policies: {
          'lake.sales.orders': {
            row_filters: [{ roles: ['analysts'], expression: answers.rowFilters[0].expression }],
            masks: [{ roles: ['analysts'], column: 'email', expression: maskOf('email') }],
          },
        },
      },
    };
    const opa = await startOpa(path.join(REPO_ROOT, 'bench', 'opa', 'trino.rego'), data);
    stops.push(() => opa.stop());
    const bare = await startBare({ recorded, base: '' });
    stops.push(() => stopChild(bare.child));
    servers.push(opa, bare);
    const opaPath = (rule) => `/v1/data/trino/${rule}`;
    for (const k of every) {
      k.make.opa = () => postRequest(opa, opaPath(k.rule), input(k.action));
      k.make.bare = () => postRequest(bare, lgPath(k.suffix), input(k.action));
      // Equivalent answers, for the restricted user and for one the engine may not act for (row filters and allow).
      for (const user of k.rule === 'batchColumnMasks' ? ['alice'] : ['alice', 'mallory']) {
        const ask = async (u) =>
          (await (await fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: input(k.action, user) })).json()).result;
        const [lg, op] = await Promise.all([ask(`${url}${lgPath(k.suffix)}`), ask(`${opa.url}${opaPath(k.rule)}`)]);
        if (!isDeepStrictEqual(lg, op)) throw new Error(`${k.rule} for ${user}: Lakegate ${JSON.stringify(lg)} but OPA ${JSON.stringify(op)}`);
      }
    }
  }

  for (const k of kinds)
    for (const s of servers) {
      const sample = await requestOnce(s.port, k.make[s.name]());
      if (sample.status !== 200) throw new Error(`${s.name} ${k.suffix} answered ${sample.status}: ${sample.raw?.toString()}`);
      await warmup(s, k.make[s.name], 2, quick ? 3 : 6);
    }
  const cells = [];
  for (let round = 0; round < ROUNDS; round++)
    for (const k of kinds)
      for (const c of CONCURRENCY)
        for (let i = 0; i < servers.length; i++) {
          const s = servers[(i + round) % servers.length];
          const r = await runCell(s, k.make[s.name], c, SECONDS);
          log(`round ${round + 1} ${k.label} ${c} ${s.name}: ${r.throughput.toFixed(0)}/s p99 ${r.p99.toFixed(2)} ms, load ${r.load1.toFixed(1)}`);
          cells.push({ round, label: k.label, c, server: s.name, r });
        }
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const rows = [];
  for (const k of kinds)
    for (const c of CONCURRENCY)
      for (const s of servers) {
        const rs = cells.filter((x) => x.label === k.label && x.c === c && x.server === s.name).map((x) => x.r);
        const m = (fn) => median(rs.map(fn));
        const tp = rs.map((r) => r.throughput);
        rows.push(
          `| ${k.label} | ${s.name} | ${c} | ${f(
            m((r) => r.throughput),
            0,
          )} (${f(Math.min(...tp), 0)}–${f(Math.max(...tp), 0)}) | ${f(m((r) => r.p50))} | ${f(m((r) => r.p99))} | ${f(
            m((r) => r.serverCpuPerReqUs),
            1,
          )} | ${f(1e6 / m((r) => r.serverCpuPerReqUs), 0)} | ${f(m((r) => r.otherCpu))} | ${rs.reduce((a, r) => a + r.errors, 0)} |`,
        );
      }
  const loads = cells.map((x) => x.r.load1);
  console.log(`Generated by \`node bench/trino-opa.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}\` on ${new Date().toISOString()} (${os.cpus().length} vCPUs, Node ${process.version}), ${SECONDS} s per cell, ${ROUNDS} round(s), servers alternating, load from the Node generator (bench/lib/load.mjs) on the same machine; load average ${f(Math.min(...loads), 1)}–${f(Math.max(...loads), 1)} during the cells.

| decision | server | conns | decisions/s median (range) | p50 ms | p99 ms | server CPU µs/decision | decisions per core-second | other CPU (cores) | errors |
|---|---|--:|--:|--:|--:|--:|--:|--:|--:|
${rows.join('\n')}`);
} finally {
  for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
}

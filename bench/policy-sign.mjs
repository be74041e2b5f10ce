// Benchmark: the remote-signing operation for a principal a row-filter policy restricts on the table (issue 53: it may
// sign GETs of its policy version's derived files only) against an unrestricted reader of the same table signing a GET
// of a data file. MinIO (scripts/peers/minio.sh) is the warehouse's S3; one Lakegate server (SQLite, one worker).
// Sequential requests, --repeat pairs in turns (unrestricted, restricted): wall time per sign seen by a client, the
// median of each side and the median (and quartiles) of the pairs' ratios, steadier on a shared machine.
// Needs a build (npx tsc -b packages/cli). Usage: node bench/policy-sign.mjs [--repeat 500] [--repo DIR]
import path from 'node:path';
import { benchFlag } from './lib/args.mjs';
import { median } from './lib/load.mjs';
import { stopChild, tempDir } from './lib/proc.mjs';
import { clientToken, s3Warehouse, sendJson, startLakegate, startMinio } from './lib/servers.mjs';
import { idSchema } from './lib/seed.mjs';

const REPEAT = Number(benchFlag('--repeat', '500'));
const repo = benchFlag('--repo', '') || undefined;
const dir = tempDir('lakegate-bench-policy-sign-');
let minio;
let lakegate;
try {
  minio = await startMinio(path.join(dir, 'minio'));
  lakegate = await startLakegate({ principal: 'admin', dataDir: path.join(dir, 'lakegate'), ...(repo ? { repo } : {}) });
  const { url, token: admin } = lakegate;
  await sendJson('POST', `${url}/management/v1/warehouses`, s3Warehouse(minio.endpoint, { 'sts-enabled': false }), { token: admin });
  await sendJson('POST', `${url}/v1/lake/namespaces`, { namespace: ['b'] }, { token: admin });
  const table = await sendJson('POST', `${url}/v1/lake/namespaces/b/tables`, { name: 't', schema: idSchema() }, { token: admin });
  const principal = async (name) => {
    const p = await sendJson('POST', `${url}/management/v1/principals`, { name }, { token: admin });
    await sendJson('POST', `${url}/management/v1/roles`, { name: `${name}-role` }, { token: admin });
    await sendJson('POST', `${url}/management/v1/roles/${name}-role/members`, { kind: 'principal', name: p['client-id'] }, { token: admin });
    await sendJson(
      'POST',
      `${url}/management/v1/grants`,
      { role: `${name}-role`, privileges: ['table:read-data'], securable: { type: 'table', warehouse: 'lake', namespace: ['b'], name: 't' } },
      { token: admin },
    );
    return clientToken(url, `${p['client-id']}:${p['client-secret']}`);
  };
  const reader = await principal('reader');
  const analyst = await principal('analyst');
  const tablePath = `${url}/management/v1/warehouses/lake/namespaces/b/tables/t`;
  await sendJson(
    'POST',
    `${tablePath}/policies`,
    { kind: 'row-filter', roles: ['analyst-role'], filter: { type: 'gt-eq', term: 'id', value: 0 } },
    { token: admin },
  );
  const version = (await sendJson('GET', `${tablePath}/effective-policy`, undefined, { token: analyst }))['policy-version'];
  const location = table.metadata.location.replace('s3://bench/', '');
  const signUrl = `${url}/v1/lake/namespaces/b/tables/t/sign`;
  const request = (key) => ({ region: 'us-east-1', uri: `${minio.endpoint}/bench/${key}`, method: 'GET', headers: { 'amz-sdk-invocation-id': ['c0ffee'] } });
  const original = request(`${location}/data/00000-0-6f1c2e9a-1b7d-4c55-9a51-0e7c3b2d4f10-00001.parquet`);
  const derived = request(`${location}/_lakegate/policy/${version}/${'a'.repeat(32)}.0f8fad5b-d9cb-469f-a165-70867728950e.parquet`);
  const sign = async (token, body) => {
    const started = performance.now();
    await sendJson('POST', signUrl, body, { token });
    return performance.now() - started;
  };
  for (let i = 0; i < 50; i++) {
    await sign(reader, original);
    await sign(analyst, derived);
  }
  const u = [];
  const r = [];
  const ratios = [];
  for (let i = 0; i < REPEAT; i++) {
    u.push(await sign(reader, original));
    r.push(await sign(analyst, derived));
    ratios.push(r[i] / u[i]);
  }
  ratios.sort((a, b) => a - b);
  const at = (q) => +ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))].toFixed(2);
  console.log(
    JSON.stringify({
      repeat: REPEAT,
      unrestrictedMs: +median(u).toFixed(3),
      restrictedMs: +median(r).toFixed(3),
      pairedRatio: { median: +median(ratios).toFixed(2), p25: at(0.25), p75: at(0.75) },
    }),
  );
} finally {
  if (lakegate) await stopChild(lakegate.child);
  minio?.stop?.();
}

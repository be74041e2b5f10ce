// Benchmark: server-side scan planning (issue 35). One Lakegate process (--workers 1, SQLite, authentication off, a
// local file warehouse) and one table whose single snapshot has --manifests data manifests of --files data files
// each, written here with avsc (ids 0.. in file order, one long column with bounds, so a filter on id matches one
// file). Times, per plan, a full scan (planTableScan, then fetchScanTasks of every plan task, as PyIceberg does) and a
// selective one (id = one value: one file), and reports the server's peak RSS (VmHWM) before and after.
// Usage: node bench/planning.mjs [--manifests 200] [--files 1000] [--runs 3]. Prints a Markdown table.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchFlag } from './lib/args.mjs';
import { avroContainer, i64, manifestEntryType, manifestListType } from './lib/manifests.mjs';
import { procRssMiB, stopChild, tempDir } from './lib/proc.mjs';
import { idSchema } from './lib/seed.mjs';
import { sendJson, startLakegate } from './lib/servers.mjs';

const MANIFESTS = Number(benchFlag('--manifests', '200'));
const FILES = Number(benchFlag('--files', '1000'));
const RUNS = Number(benchFlag('--runs', '3'));

const peakRss = (pid) => procRssMiB(pid, 'VmHWM');
const ENTRY = manifestEntryType();
const LIST = manifestListType();

/** Writes an Avro container file of `records` to the file URI `uri`; its size in bytes. */
async function writeAvro(uri, type, records) {
  const bytes = await avroContainer(type, records, { metadata: { 'format-version': Buffer.from('2') } });
  writeFileSync(fileURLToPath(uri), bytes);
  return bytes.length;
}

const { url, child } = await startLakegate({ auth: 'disabled', dataDir: tempDir('lakegate-bench-planning-') });
try {
  const T = `${url}/v1/default/namespaces/bench/tables`;
  await sendJson('POST', `${url}/v1/default/namespaces`, { namespace: ['bench'] });
  const created = await sendJson('POST', T, { name: 'big', schema: idSchema(false), properties: { 'format-version': '2' } });
  const location = created.metadata.location;
  const snapshotId = 1234567;
  const manifests = [];
  for (let m = 0; m < MANIFESTS; m++) {
    const entries = [];
    for (let f = 0; f < FILES; f++) {
      const lo = (m * FILES + f) * 10;
      entries.push({
        status: 1,
        snapshot_id: snapshotId,
        sequence_number: 1,
        file_sequence_number: 1,
        data_file: {
          content: 0,
          file_path: `${location}/data/m${m}-f${f}.parquet`,
          file_format: 'PARQUET',
          partition: {},
          record_count: 10,
          file_size_in_bytes: 4096,
          value_counts: [{ key: 1, value: 10 }],
          null_value_counts: [{ key: 1, value: 0 }],
          lower_bounds: [{ key: 1, value: i64(lo) }],
          upper_bounds: [{ key: 1, value: i64(lo + 9) }],
        },
      });
    }
    const p = `${location}/metadata/m${m}.avro`;
    manifests.push({
      manifest_path: p,
      manifest_length: await writeAvro(p, ENTRY, entries),
      partition_spec_id: 0,
      content: 0,
      sequence_number: 1,
      min_sequence_number: 1,
      added_snapshot_id: snapshotId,
    });
  }
  const list = `${location}/metadata/snap-1.avro`;
  await writeAvro(list, LIST, manifests);
  await sendJson('POST', `${T}/big`, {
    requirements: [],
    updates: [
      {
        action: 'add-snapshot',
        snapshot: {
          'snapshot-id': snapshotId,
          'sequence-number': 1,
          'timestamp-ms': Date.now(),
          'manifest-list': list,
          summary: { operation: 'append' },
          'schema-id': 0,
        },
      },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
    ],
  });
  const rssBefore = peakRss(child.pid);
  const time = async (body) => {
    const started = performance.now();
    const plan = await sendJson('POST', `${T}/big/plan`, body);
    let files = plan['file-scan-tasks']?.length ?? 0;
    const pending = [...(plan['plan-tasks'] ?? [])];
    while (pending.length) {
      const page = await sendJson('POST', `${T}/big/tasks`, { 'plan-task': pending.shift() });
      files += page['file-scan-tasks']?.length ?? 0;
      pending.push(...(page['plan-tasks'] ?? []));
    }
    return { ms: performance.now() - started, files };
  };
  const rows = [];
  for (const [name, body] of [
    ['full scan', {}],
    ['selective (id = one value: 1 file)', { filter: { type: 'eq', term: 'id', value: Math.floor((MANIFESTS * FILES * 10) / 2) + 3 } }],
  ]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await time(body));
    runs.sort((a, b) => a.ms - b.ms);
    rows.push(`| ${name} | ${runs[0].files} | ${runs[Math.floor(runs.length / 2)].ms.toFixed(0)} | ${runs[0].ms.toFixed(0)} |`);
  }
  console.log(
    `Table: ${MANIFESTS} data manifests × ${FILES} files = ${MANIFESTS * FILES} data files; ${RUNS} runs each; ${os.cpus().length} CPUs (${os.cpus()[0].model}).`,
  );
  console.log('');
  console.log('| plan | files planned | median ms | best ms |');
  console.log('|---|--:|--:|--:|');
  for (const r of rows) console.log(r);
  console.log('');
  console.log(`Server peak RSS (VmHWM): ${rssBefore.toFixed(0)} MiB before planning, ${peakRss(child.pid).toFixed(0)} MiB after.`);
} finally {
  await stopChild(child);
}

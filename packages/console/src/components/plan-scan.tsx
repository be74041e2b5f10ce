/**
 * "Plan this filter" on a table's page: the server plans a scan (planTableScan, as the signed-in identity, so it
 * needs table:read-data) of a snapshot with a filter built as `column op value` or given as the REST expression
 * JSON; the panel waits for an async (`submitted`) plan, follows its plan tasks (fetchScanTasks) and shows the
 * files and bytes the scan reads against those it skips. The planning result carries no skipped counts, so the
 * scanned side is the planned data files and their sizes, and the totals are the snapshot summary's
 * `total-data-files` and `total-files-size` (skipped = total − scanned; "?" when the summary lacks them).
 */
import { type FormEvent, useState } from 'react';
import type { PlanTableScanRequest } from '@lakegate/client/browser';
import { catalogClient } from '../api/clients';
import type { Field } from './schema-tree';
import { conditionJson, OPS, UNARY } from './expression';
import { ErrorMessage } from './states';
import { GridHead } from './grid-head';

interface SnapshotRef {
  'snapshot-id': number | bigint;
  'timestamp-ms': number;
  summary?: Record<string, string>;
}

export interface PlanOutcome {
  files: Array<{ path: string; bytes: number; records: number; deletes: number }>;
  pages: number;
}

/** Plans and follows every plan task: the data files the scan reads. */
async function runPlan(
  warehouse: string,
  identifier: { namespace: string[]; name: string },
  request: PlanTableScanRequest,
  signal: AbortSignal,
): Promise<PlanOutcome> {
  const catalog = catalogClient(warehouse);
  const first = await catalog.planTableScan(identifier, request);
  const plan = await catalog.awaitPlan(identifier, first, { signal });
  const files: PlanOutcome['files'] = [];
  let pages = 0;
  for await (const page of catalog.scanTaskPages(identifier, plan)) {
    pages++;
    for (const t of page['file-scan-tasks'] ?? []) {
      const f = t['data-file'];
      files.push({
        path: f['file-path'],
        bytes: Number(f['file-size-in-bytes']),
        records: Number(f['record-count']),
        deletes: t['delete-file-references']?.length ?? 0,
      });
    }
  }
  return { files, pages };
}

/** Exact below 1 MiB (small tables compare to the byte), else MiB or GiB with one decimal. */
const bytes = (n: number) =>
  n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${n.toLocaleString('en-US')} B`;

export function PlanScanPanel({
  warehouse,
  levels,
  name,
  fields,
  snapshots,
  currentId,
}: {
  warehouse: string;
  levels: string[];
  name: string;
  fields: Field[];
  snapshots: SnapshotRef[];
  currentId: string | undefined;
}) {
  const [mode, setMode] = useState<'builder' | 'json'>('builder');
  const [column, setColumn] = useState(fields[0]?.name ?? '');
  const [op, setOp] = useState<string>('eq');
  const [value, setValue] = useState('');
  const [json, setJson] = useState('');
  const [snapshot, setSnapshot] = useState(currentId ?? '');
  const [busy, setBusy] = useState<AbortController | undefined>();
  const [error, setError] = useState<unknown>();
  const [outcome, setOutcome] = useState<{ result: PlanOutcome; snapshot: SnapshotRef | undefined } | undefined>();

  const filter = (): unknown => {
    if (mode === 'json') return json.trim() === '' ? undefined : JSON.parse(json);
    if (column === '') return undefined;
    return conditionJson(fields, { column, op, value });
  };

  const plan = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setOutcome(undefined);
    let request: PlanTableScanRequest;
    try {
      const f = filter();
      const chosen = snapshots.find((s) => String(s['snapshot-id']) === snapshot);
      request = { ...(f !== undefined ? { filter: f } : {}), ...(chosen ? { 'snapshot-id': chosen['snapshot-id'] } : {}) };
    } catch (err) {
      setError(new Error(`The filter is not JSON: ${(err as Error).message}`));
      return;
    }
    const controller = new AbortController();
    setBusy(controller);
    try {
      const result = await runPlan(warehouse, { namespace: levels, name }, request, controller.signal);
      setOutcome({ result, snapshot: snapshots.find((s) => String(s['snapshot-id']) === (snapshot || currentId)) });
    } catch (err) {
      if (!controller.signal.aborted) setError(err);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <form className="plan-scan" aria-label="Plan this filter" onSubmit={(e) => void plan(e)}>
      <fieldset>
        <legend>Filter</legend>
        <label className="check">
          <input type="radio" name="filter-mode" checked={mode === 'builder'} onChange={() => setMode('builder')} /> column op value
        </label>
        <label className="check">
          <input type="radio" name="filter-mode" checked={mode === 'json'} onChange={() => setMode('json')} /> expression JSON
        </label>
        {mode === 'builder' ? (
          <div className="row">
            <label>
              Column
              <select name="plan-column" value={column} onChange={(e) => setColumn(e.target.value)}>
                <option value="">(no filter: full scan)</option>
                {fields.map((f) => (
                  <option key={f.id} value={f.name}>
                    {f.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Operator
              <select name="plan-op" value={op} onChange={(e) => setOp(e.target.value)}>
                {OPS.map(([label, type]) => (
                  <option key={type} value={type}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            {!UNARY.has(op) && (
              <label>
                Value
                <input name="plan-value" value={value} onChange={(e) => setValue(e.target.value)} placeholder={op === 'in' ? 'a, b, c' : ''} />
              </label>
            )}
          </div>
        ) : (
          <label className="wide">
            Expression
            <textarea name="plan-json" rows={3} value={json} onChange={(e) => setJson(e.target.value)} placeholder='{"type":"eq","term":"id","value":1}' />
          </label>
        )}
      </fieldset>
      <label>
        Snapshot
        <select name="plan-snapshot" value={snapshot} onChange={(e) => setSnapshot(e.target.value)}>
          {snapshots.map((s) => (
            <option key={String(s['snapshot-id'])} value={String(s['snapshot-id'])}>
              {String(s['snapshot-id'])}
              {String(s['snapshot-id']) === currentId ? ' (current)' : ''}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy !== undefined || snapshots.length === 0}>
        {busy ? 'Planning…' : 'Plan'}
      </button>
      {busy && (
        <button type="button" onClick={() => busy.abort()}>
          Stop
        </button>
      )}
      {error !== undefined && <ErrorMessage error={error} />}
      {outcome && <PlanSummary outcome={outcome.result} snapshot={outcome.snapshot} />}
    </form>
  );
}

function PlanSummary({ outcome, snapshot }: { outcome: PlanOutcome; snapshot: SnapshotRef | undefined }) {
  const scannedFiles = outcome.files.length;
  const scannedBytes = outcome.files.reduce((a, f) => a + f.bytes, 0);
  const totalFiles = snapshot?.summary?.['total-data-files'] !== undefined ? Number(snapshot.summary['total-data-files']) : undefined;
  const totalBytes = snapshot?.summary?.['total-files-size'] !== undefined ? Number(snapshot.summary['total-files-size']) : undefined;
  return (
    <div data-testid="plan-result" role="status">
      <dl className="facts">
        <dt>Files scanned</dt>
        <dd data-testid="plan-files-scanned">{scannedFiles}</dd>
        <dt>Files skipped</dt>
        <dd data-testid="plan-files-skipped">{totalFiles !== undefined ? Math.max(0, totalFiles - scannedFiles) : '?'}</dd>
        <dt>Bytes scanned</dt>
        <dd data-testid="plan-bytes-scanned">{bytes(scannedBytes)}</dd>
        <dt>Bytes skipped</dt>
        <dd data-testid="plan-bytes-skipped">{totalBytes !== undefined ? bytes(Math.max(0, totalBytes - scannedBytes)) : '?'}</dd>
      </dl>
      <p className="dim">
        Totals from the snapshot summary (total-data-files, total-files-size, which include delete files' bytes); {outcome.pages} page(s) of tasks.
      </p>
      {outcome.files.length > 0 && (
        <table className="grid" data-testid="plan-files">
          <GridHead columns={['Data file', 'Size', 'Records', 'Delete files']} />
          <tbody>
            {outcome.files.slice(0, 200).map((f) => (
              <tr key={f.path} data-testid="plan-file">
                <td className="mono">{f.path}</td>
                <td>{bytes(f.bytes)}</td>
                <td>{f.records}</td>
                <td>{f.deletes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

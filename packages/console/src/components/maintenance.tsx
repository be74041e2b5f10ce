/**
 * Run a table's maintenance now (issue 39), as the signed-in caller (`table:maintain`): snapshot expiry by the
 * table's `history.expire.*` properties, a dry run of orphan-file removal (what would go, nothing deleted), or the
 * removal itself. While the job runs the panel polls the job's progress (phase, manifests and files scanned, files
 * and bytes deleted so far); when it ends it shows the result the server answered: snapshots expired, files and
 * bytes removed, and the files one by one.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { TableMaintenanceJob, TableMaintenanceRequest, TableMaintenanceResult } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { ErrorMessage } from './states';
import { GridHead } from './grid-head';

type Choice = 'expire' | 'orphans-dry-run' | 'orphans';
const CHOICES: Array<[Choice, string]> = [
  ['expire', 'Expire snapshots'],
  ['orphans-dry-run', 'Orphan files: dry run'],
  ['orphans', 'Remove orphan files'],
];
const DAY_MS = 86_400_000;
const bytes = (n: number) => `${n.toLocaleString('en-US')} B`;

function requestOf(choice: Choice, olderThanDays: number): TableMaintenanceRequest {
  if (choice === 'expire') return { actions: ['expire-snapshots'] };
  return { actions: ['remove-orphan-files'], 'dry-run': choice === 'orphans-dry-run', 'orphan-older-than-ms': Math.round(olderThanDays * DAY_MS) };
}

export function MaintenancePanel({ warehouse, levels, name }: { warehouse: string; levels: string[]; name: string }) {
  const [choice, setChoice] = useState<Choice>('orphans-dry-run');
  const [days, setDays] = useState('3');
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<TableMaintenanceJob>();
  const [result, setResult] = useState<TableMaintenanceResult>();
  const [error, setError] = useState<unknown>();
  const table = { namespace: levels, name };

  // While the job runs: its progress, as the server records it where the job's lease lives.
  useEffect(() => {
    if (!running) return;
    const controller = new AbortController();
    const poll = setInterval(() => {
      managementClient()
        .getTableMaintenance(warehouse, table, { signal: controller.signal })
        // Only this run's: until the job takes its lease the row may still hold the previous one's end state.
        .then(
          (job) => !controller.signal.aborted && job.state === 'running' && setProgress(job),
          () => undefined,
        );
    }, 250);
    return () => {
      clearInterval(poll);
      controller.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [running, warehouse, levels.join('\u001f'), name]);

  const run = async (e: FormEvent) => {
    e.preventDefault();
    const olderThanDays = Number(days);
    setError(undefined);
    setResult(undefined);
    setProgress(undefined);
    if (choice !== 'expire' && (!Number.isFinite(olderThanDays) || olderThanDays < 0)) {
      setError(new Error('"Older than" must be a number of days, 0 or more'));
      return;
    }
    setRunning(true);
    try {
      setResult(await managementClient().runTableMaintenance(warehouse, table, requestOf(choice, olderThanDays)));
    } catch (err) {
      setError(err);
    } finally {
      setRunning(false);
    }
  };

  const p = progress?.progress;
  return (
    <form aria-label="Run maintenance" onSubmit={(e) => void run(e)}>
      <div className="row">
        <label>
          Job{' '}
          <select name="maintenance-action" value={choice} onChange={(e) => setChoice(e.target.value as Choice)}>
            {CHOICES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {choice !== 'expire' && (
          <label>
            Orphans older than (days){' '}
            <input name="maintenance-older-than" type="number" min="0" step="any" value={days} onChange={(e) => setDays(e.target.value)} />
          </label>
        )}
        <button type="submit" disabled={running}>
          {running ? 'Running…' : 'Run'}
        </button>
      </div>
      {running && (
        <p className="state loading" role="status" aria-live="polite" data-testid="maintenance-progress">
          <span className="spinner" aria-hidden="true" />{' '}
          {p
            ? `${p.phase}: ${p['manifests-scanned']} manifests, ${p['files-scanned']} files scanned; ${p['files-deleted']} files (${bytes(p['bytes-deleted'])}) deleted so far`
            : 'Starting…'}
        </p>
      )}
      {error !== undefined && <ErrorMessage error={error} />}
      {result && <MaintenanceResultView result={result} />}
    </form>
  );
}

function MaintenanceResultView({ result: r }: { result: TableMaintenanceResult }) {
  const listed = r.files.reduce((n, f) => n + f.bytes, 0);
  return (
    <div className="state ok" data-testid="maintenance-result">
      <p>
        <strong>{r['dry-run'] ? 'Dry run: nothing was deleted.' : 'Done.'}</strong>{' '}
        <span data-testid="maintenance-expired">{r['expired-snapshots'].length}</span> snapshots expired,{' '}
        <span data-testid="maintenance-deleted-files">{r['deleted-files']}</span> files (
        <span data-testid="maintenance-deleted-bytes">{bytes(r['deleted-bytes'])}</span>) deleted
        {r['dry-run'] ? (
          <>
            ; would delete <span data-testid="maintenance-would-delete">{r.files.length}</span> files ({bytes(listed)})
          </>
        ) : null}
        .
      </p>
      {(r['failed-files']?.length ?? 0) > 0 && (
        <p className="state error" data-testid="maintenance-failed-files">
          {r['failed-files']!.length} files could not be deleted (the storage refused them; they are left for a later orphan removal), first:{' '}
          {r['failed-files']![0]!.path} ({r['failed-files']![0]!.error})
        </p>
      )}
      {(r['missing-files']?.length ?? 0) > 0 && (
        <p className="state" data-testid="maintenance-missing-files">
          {r['missing-files']!.length} files were not found (not counted as deleted), first: {r['missing-files']![0]!.path}
        </p>
      )}
      {r.files.length > 0 && (
        <table className="grid" data-testid="maintenance-files">
          <GridHead columns={['File', 'Kind', 'Bytes']} />
          <tbody>
            {r.files.map((f) => (
              <tr key={f.path} data-testid="maintenance-file">
                <td className="mono">{f.path}</td>
                <td>{f.kind}</td>
                <td>{bytes(f.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

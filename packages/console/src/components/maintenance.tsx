/**
 * Run a table's maintenance now (issue 39), as the signed-in caller (`table:maintain`): snapshot expiry by the
 * table's `history.expire.*` properties, a dry run of orphan-file removal (what would go, nothing deleted), or the
 * removal itself; or compaction of small data files (rewrite-data-files, issue 59; or its dry run) with a target file
 * size, the fewest small files a group needs, Iceberg's size range and delete thresholds (maintenance-thresholds.tsx)
 * (empty: the table's and server's defaults), and a strategy:
 * the table default (sort for a table with a default sort order, else binpack), binpack or sort (by the table's
 * default sort order, shown beside it, or by a sort order typed in Spark's words, columns by name). While the job runs the panel polls the job's progress
 * (phase, manifests and files scanned, files and bytes deleted or rewritten so far); when it ends it shows the result
 * the server answered: snapshots expired, files and bytes removed, and the files one by one, or the compaction's
 * outcome and counts. The server's refusal (say, sort on an unsorted table) is shown in its words.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { TableMaintenanceJob, TableMaintenanceResult } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { ErrorMessage } from './states';
import { GridHead } from './grid-head';
import { CompactionThresholdInputs, type ThresholdValues } from './maintenance-thresholds';
import {
  type Column,
  compactionFieldsError,
  isCompaction,
  isOrphans,
  MAINTENANCE_CHOICES,
  type MaintenanceChoice,
  maintenanceRequest,
  STRATEGY_CHOICES,
  type StrategyChoice,
  strategyHint,
} from './maintenance-request';

const bytes = (n: number) => `${n.toLocaleString('en-US')} B`;
const mib = (n: number) => `${(n / (1024 * 1024)).toLocaleString('en-US', { maximumFractionDigits: 2 })} MiB`;

export function MaintenancePanel({
  warehouse,
  levels,
  name,
  sortOrder,
  columns = [],
  onChanged,
}: {
  warehouse: string;
  levels: string[];
  name: string;
  /** The table's default sort order in words, undefined when it is unsorted (what strategy sort orders by). */
  sortOrder?: string | undefined;
  /** The current schema's top-level columns (a typed sort order names them). */
  columns?: readonly Column[];
  /** Called after a job that committed a new snapshot (a compaction), so the page can load the table again. */
  onChanged?: () => void;
}) {
  const [choice, setChoice] = useState<MaintenanceChoice>('orphans-dry-run');
  const [days, setDays] = useState('3');
  const [strategy, setStrategy] = useState<StrategyChoice>('default');
  const [targetMiB, setTargetMiB] = useState('');
  const [minInputFiles, setMinInputFiles] = useState('');
  const [sortText, setSortText] = useState('');
  const [groupMiB, setGroupMiB] = useState('');
  const [partialProgress, setPartialProgress] = useState(false);
  const [maxCommits, setMaxCommits] = useState('');
  const [thresholds, setThresholds] = useState<ThresholdValues>({ minFileMiB: '', maxFileMiB: '', deleteFileThreshold: '', deleteRatioThreshold: '' });
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
    if (isOrphans(choice) && (!Number.isFinite(olderThanDays) || olderThanDays < 0)) {
      setError(new Error('"Older than" must be a number of days, 0 or more'));
      return;
    }
    const fields = { strategy, targetMiB, minInputFiles, sortText, groupMiB, partialProgress, maxCommits, ...thresholds };
    const wrong = isCompaction(choice) ? compactionFieldsError(fields, columns) : undefined;
    if (wrong !== undefined) {
      setError(new Error(wrong));
      return;
    }
    setRunning(true);
    try {
      const done = await managementClient().runTableMaintenance(warehouse, table, maintenanceRequest(choice, { olderThanDays, ...fields }, columns));
      setResult(done);
      if (done.compaction?.outcome === 'committed') onChanged?.();
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
          <select name="maintenance-action" value={choice} onChange={(e) => setChoice(e.target.value as MaintenanceChoice)}>
            {MAINTENANCE_CHOICES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {isOrphans(choice) && (
          <label>
            Orphans older than (days){' '}
            <input name="maintenance-older-than" type="number" min="0" step="any" value={days} onChange={(e) => setDays(e.target.value)} />
          </label>
        )}
        {isCompaction(choice) && (
          <label>
            Strategy{' '}
            <select name="maintenance-strategy" value={strategy} onChange={(e) => setStrategy(e.target.value as StrategyChoice)}>
              {STRATEGY_CHOICES.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        )}
        {isCompaction(choice) && strategy !== 'binpack' && (
          <label>
            Sort order{' '}
            <input
              name="maintenance-sort-order"
              type="text"
              placeholder="table default, e.g. id DESC NULLS LAST or zorder(x, y)"
              value={sortText}
              onChange={(e) => setSortText(e.target.value)}
            />
          </label>
        )}
        {isCompaction(choice) && (
          <label>
            Target file size (MiB){' '}
            <input
              name="maintenance-target-mib"
              type="number"
              min="1"
              step="any"
              placeholder="table default"
              value={targetMiB}
              onChange={(e) => setTargetMiB(e.target.value)}
            />
          </label>
        )}
        {isCompaction(choice) && (
          <label>
            Min input files{' '}
            <input
              name="maintenance-min-input-files"
              type="number"
              min="2"
              step="1"
              placeholder="2"
              value={minInputFiles}
              onChange={(e) => setMinInputFiles(e.target.value)}
            />
          </label>
        )}
        {isCompaction(choice) && (
          <label>
            Max file group size (MiB){' '}
            <input
              name="maintenance-group-mib"
              type="number"
              min="1"
              step="any"
              placeholder="target size"
              value={groupMiB}
              onChange={(e) => setGroupMiB(e.target.value)}
            />
          </label>
        )}
        {isCompaction(choice) && <CompactionThresholdInputs values={thresholds} onChange={setThresholds} />}
        {isCompaction(choice) && (
          <label title="Spark's partial-progress: file groups are committed as they finish (needs the spark compaction executor)">
            <input name="maintenance-partial-progress" type="checkbox" checked={partialProgress} onChange={(e) => setPartialProgress(e.target.checked)} />{' '}
            Partial progress
          </label>
        )}
        {isCompaction(choice) && partialProgress && (
          <label>
            Max commits{' '}
            <input
              name="maintenance-max-commits"
              type="number"
              min="1"
              max="1000"
              step="1"
              placeholder="10"
              value={maxCommits}
              onChange={(e) => setMaxCommits(e.target.value)}
            />
          </label>
        )}
        <button type="submit" disabled={running}>
          {running ? 'Running…' : 'Run'}
        </button>
      </div>
      {isCompaction(choice) && (
        <p className="hint" data-testid="maintenance-strategy-hint">
          {strategyHint(strategy, sortOrder, sortText)}
        </p>
      )}
      {running && (
        <p className="state loading" role="status" aria-live="polite" data-testid="maintenance-progress">
          <span className="spinner" aria-hidden="true" />{' '}
          {p
            ? p.phase === 'rewriting-data-files' || p.phase === 'committing-rewrite'
              ? `${p.phase}: ${p['files-rewritten'] ?? 0} data files (${bytes(p['bytes-rewritten'] ?? 0)}) rewritten so far`
              : `${p.phase}: ${p['manifests-scanned']} manifests, ${p['files-scanned']} files scanned; ${p['files-deleted']} files (${bytes(p['bytes-deleted'])}) deleted so far`
            : 'Starting…'}
        </p>
      )}
      {error !== undefined && <ErrorMessage error={error} />}
      {result && <MaintenanceResultView result={result} />}
    </form>
  );
}

function MaintenanceResultView({ result: r }: { result: TableMaintenanceResult }) {
  if (r.compaction) return <CompactionResultView compaction={r.compaction} />;
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

const OUTCOMES: Record<NonNullable<TableMaintenanceResult['compaction']>['outcome'], string> = {
  committed: 'Compacted.',
  'nothing-to-do': 'Nothing to compact.',
  'dry-run': 'Dry run: nothing was written.',
  conflict: 'Not compacted: the table changed meanwhile.',
};

function CompactionResultView({ compaction: c }: { compaction: NonNullable<TableMaintenanceResult['compaction']> }) {
  const rewritten = c.outcome === 'dry-run' ? 'would be rewritten into' : 'rewritten into';
  return (
    <div className={c.outcome === 'conflict' ? 'state error' : 'state ok'} data-testid="maintenance-result">
      <p>
        <strong data-testid="compaction-outcome" data-outcome={c.outcome}>
          {OUTCOMES[c.outcome]}
        </strong>{' '}
        <span data-testid="compaction-rewritten">{c['rewritten-data-files']}</span> data files ({bytes(c['rewritten-bytes'])}) {rewritten}{' '}
        <span data-testid="compaction-added">{c['added-data-files']}</span> ({bytes(c['added-bytes'])}), {c.groups} groups
        {c['skipped-groups'] > 0 ? `, ${c['skipped-groups']} left as they were (files of different schemas)` : ''}
        {c.attempts > 1 ? `; ${c.attempts} commit attempts` : ''}.
      </p>
      <p>
        Strategy <span data-testid="compaction-strategy">{c.strategy}</span>, target file size{' '}
        <span data-testid="compaction-target">{mib(c['target-file-size-bytes'])}</span>.
      </p>
      {c['snapshot-id'] && (
        <p>
          Replace snapshot{' '}
          <span className="mono" data-testid="compaction-snapshot">
            {c['snapshot-id']}
          </span>
          .
        </p>
      )}
      {c.reason && <p data-testid="compaction-reason">{c.reason}</p>}
    </div>
  );
}

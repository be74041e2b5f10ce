/**
 * A table: schema (nested types), partition spec, sort order, properties, catalog-supplied labels, current snapshot, the snapshot timeline
 * (records and files added and removed per snapshot, refs and branches), the metadata log, its location, and which
 * storage credentials a caller would be vended (explain on table:read-data / table:write-data), and "plan this
 * filter": files and bytes a server-planned scan reads and skips (components/plan-scan.tsx), and running its
 * maintenance now, with the job's progress and result (components/maintenance.tsx; the table is loaded again after a
 * compaction commits, and the panel is told its default sort order, what strategy sort orders by); its row-filter and column-mask
 * policies, what they mean for a chosen principal, and the warehouse's enforcing engines (components/policies.tsx).
 */
import { useMemo } from 'react';
import type { Labels } from '@lakegate/client/browser';
import { useParams } from 'wouter';
import { catalogClient } from '../api/clients';
import { selfSubject } from '../api/session';
import { bars, Chart } from '../components/chart';
import { CredentialsPanel } from '../components/explain';
import { levelsOf, nameOf, showNamespace } from '../components/paths';
import { LabelsPanel } from '../components/labels';
import { MaintenancePanel } from '../components/maintenance';
import { PlanScanPanel } from '../components/plan-scan';
import { PoliciesPanel } from '../components/policies';
import { type Field, SchemaTree } from '../components/schema-tree';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { useAsync } from '../components/use-async';
import { Breadcrumbs } from './catalog';
import { Properties } from '../components/key-values';
import { GridHead } from '../components/grid-head';

interface Snapshot {
  'snapshot-id': number | bigint;
  'parent-snapshot-id'?: number | bigint;
  'sequence-number'?: number;
  'timestamp-ms': number;
  summary?: Record<string, string>;
}
interface Metadata {
  location: string;
  'table-uuid': string;
  'format-version': number;
  'last-updated-ms'?: number;
  'current-schema-id'?: number;
  schemas?: Array<{ 'schema-id': number; fields: Field[]; 'identifier-field-ids'?: number[] }>;
  'default-spec-id'?: number;
  'partition-specs'?: Array<{ 'spec-id': number; fields: Array<{ name: string; transform: string; 'source-id': number; 'field-id'?: number }> }>;
  'default-sort-order-id'?: number;
  'sort-orders'?: Array<{ 'order-id': number; fields: Array<{ transform: string; 'source-id': number; direction: string; 'null-order': string }> }>;
  properties?: Record<string, string>;
  'current-snapshot-id'?: number | bigint | null;
  snapshots?: Snapshot[];
  refs?: Record<string, { 'snapshot-id': number | bigint; type: 'branch' | 'tag' }>;
  'metadata-log'?: Array<{ 'timestamp-ms': number; 'metadata-file': string }>;
}

const n = (s: Snapshot, key: string): number => Number(s.summary?.[key] ?? 0);
const time = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');

export function TablePage() {
  const params = useParams<{ warehouse: string; namespace: string; name: string }>();
  const warehouse = decodeURIComponent(params.warehouse);
  const levels = levelsOf(params.namespace);
  const name = nameOf(params.name);
  const table = useAsync(
    (signal) => catalogClient(warehouse).loadTable({ namespace: levels, name }, { snapshots: 'all', signal }),
    [warehouse, params.namespace, name],
  );
  return (
    <>
      <Breadcrumbs warehouse={warehouse} levels={levels} />
      <h1>
        <span className="dim">table</span> {showNamespace(levels)}.{name}
      </h1>
      {table.status === 'loading' && <Loading what="the table" />}
      {table.status === 'error' && <ErrorMessage error={table.error} retry={table.reload} />}
      {table.data && (
        <TableDetails
          metadata={table.data.metadata as unknown as Metadata}
          metadataLocation={table.data['metadata-location']}
          labels={table.data.labels}
          reload={table.reload}
          warehouse={warehouse}
          levels={levels}
          name={name}
        />
      )}
    </>
  );
}

function TableDetails({
  metadata: m,
  metadataLocation,
  labels,
  reload,
  warehouse,
  levels,
  name,
}: {
  metadata: Metadata;
  metadataLocation: string | undefined;
  labels: Labels | undefined;
  reload: () => void;
  warehouse: string;
  levels: string[];
  name: string;
}) {
  const schema = m.schemas?.find((s) => s['schema-id'] === m['current-schema-id']) ?? m.schemas?.at(-1);
  const spec = m['partition-specs']?.find((s) => s['spec-id'] === m['default-spec-id']);
  const order = m['sort-orders']?.find((s) => s['order-id'] === m['default-sort-order-id']);
  const fieldName = (id: number) => schema?.fields.find((f) => f.id === id)?.name ?? `#${id}`;
  const sortOrder =
    order && order.fields.length
      ? order.fields.map((f) => `${f.transform}(${fieldName(f['source-id'])}) ${f.direction} ${f['null-order']}`).join(', ')
      : undefined;
  const current = m.snapshots?.find((s) => String(s['snapshot-id']) === String(m['current-snapshot-id']));
  return (
    <div className="details">
      <section aria-labelledby="overview">
        <h2 id="overview">Overview</h2>
        <dl className="facts">
          <dt>Location</dt>
          <dd className="mono">{m.location}</dd>
          <dt>Metadata file</dt>
          <dd className="mono">{metadataLocation ?? '—'}</dd>
          <dt>Format version</dt>
          <dd>{m['format-version']}</dd>
          <dt>Table UUID</dt>
          <dd className="mono">{m['table-uuid']}</dd>
          <dt>Current snapshot</dt>
          <dd data-testid="current-snapshot">
            {current
              ? `${String(current['snapshot-id'])} (${current.summary?.['operation'] ?? '?'}, ${time(current['timestamp-ms'])}, ${current.summary?.['total-records'] ?? '?'} records)`
              : 'none (empty table)'}
          </dd>
        </dl>
      </section>
      <section aria-labelledby="schema">
        <h2 id="schema">Schema {schema ? <span className="dim">id {schema['schema-id']}</span> : null}</h2>
        {schema ? <SchemaTree fields={schema.fields} identifierIds={schema['identifier-field-ids'] ?? []} /> : <Empty>No schema.</Empty>}
      </section>
      <section aria-labelledby="layout">
        <h2 id="layout">Partitioning and sort order</h2>
        <p>
          <strong>Partition spec</strong>{' '}
          {spec && spec.fields.length ? spec.fields.map((f) => `${f.transform}(${fieldName(f['source-id'])}) as ${f.name}`).join(', ') : 'unpartitioned'}
        </p>
        <p>
          <strong>Sort order</strong> {sortOrder ?? 'unsorted'}
        </p>
      </section>
      <Timeline metadata={m} />
      <section aria-labelledby="plan">
        <h2 id="plan">Plan this filter</h2>
        {m.snapshots?.length ? (
          <PlanScanPanel
            warehouse={warehouse}
            levels={levels}
            name={name}
            fields={schema?.fields ?? []}
            snapshots={m.snapshots}
            currentId={current ? String(current['snapshot-id']) : undefined}
          />
        ) : (
          <Empty>No snapshots: nothing to scan.</Empty>
        )}
      </section>
      <section aria-labelledby="maintenance">
        <h2 id="maintenance">Maintenance</h2>
        <MaintenancePanel warehouse={warehouse} levels={levels} name={name} sortOrder={sortOrder} columns={schema?.fields ?? []} onChanged={reload} />
      </section>
      <section aria-labelledby="credentials">
        <h2 id="credentials">Storage credentials callers would get</h2>
        <CredentialsPanel securable={{ type: 'table', warehouse, namespace: levels, name }} initialSubject={selfSubject()} />
      </section>
      <section aria-labelledby="policies">
        <h2 id="policies">Row filters and column masks</h2>
        <PoliciesPanel warehouse={warehouse} levels={levels} name={name} fields={schema?.fields ?? []} />
      </section>
      <section aria-labelledby="props">
        <h2 id="props">Properties</h2>
        <Properties values={m.properties ?? {}} />
      </section>
      <section aria-labelledby="labels">
        <h2 id="labels">Labels</h2>
        <LabelsPanel labels={labels} fieldName={fieldName} />
      </section>
      <section aria-labelledby="mlog">
        <h2 id="mlog">Metadata log</h2>
        {m['metadata-log']?.length ? (
          <ol className="log">
            {[...m['metadata-log']].reverse().map((e) => (
              <li key={e['metadata-file']}>
                <span>{time(e['timestamp-ms'])}</span> <span className="mono">{e['metadata-file']}</span>
              </li>
            ))}
          </ol>
        ) : (
          <Empty>No earlier metadata files.</Empty>
        )}
      </section>
    </div>
  );
}

function Timeline({ metadata: m }: { metadata: Metadata }) {
  const snapshots = useMemo(() => [...(m.snapshots ?? [])].sort((a, b) => a['timestamp-ms'] - b['timestamp-ms']), [m]);
  const refsOf = (s: Snapshot) => Object.entries(m.refs ?? {}).filter(([, r]) => String(r['snapshot-id']) === String(s['snapshot-id']));
  const data = useMemo(
    () =>
      [
        snapshots.map((_, i) => i + 1),
        snapshots.map((s) => n(s, 'added-records')),
        snapshots.map((s) => n(s, 'deleted-records')),
        snapshots.map((s) => n(s, 'added-data-files')),
        snapshots.map((s) => n(s, 'deleted-data-files')),
      ] as [number[], ...number[][]],
    [snapshots],
  );
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline">Snapshot timeline</h2>
      {snapshots.length === 0 ? (
        <Empty>No snapshots yet: nothing has been written to this table.</Empty>
      ) : (
        <>
          <Chart
            title="Records and files per snapshot"
            testId="timeline-chart"
            data={data}
            options={{
              // Half a step of room on both sides, so the first and last bars are whole; counts start at zero.
              scales: {
                x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
                y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
                files: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
              },
              axes: [
                { label: 'snapshot #', values: (_u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : '')) },
                { label: 'records' },
                { scale: 'files', side: 1, label: 'files', grid: { show: false } },
              ],
              series: [
                { label: 'snapshot' },
                { label: 'added records', stroke: '#1f6feb', fill: 'rgba(31,111,235,0.35)', paths: bars },
                { label: 'deleted records', stroke: '#d1242f', fill: 'rgba(209,36,47,0.35)', paths: bars },
                { label: 'added files', scale: 'files', stroke: '#1a7f37', width: 2, points: { size: 7 } },
                { label: 'removed files', scale: 'files', stroke: '#9a6700', width: 2, dash: [4, 4], points: { size: 7 } },
              ],
            }}
          />
          <table className="grid" data-testid="snapshot-list">
            <GridHead columns={['#', 'Snapshot', 'Time', 'Operation', '+ records', '− records', '+ files', '− files', 'Refs']} />
            <tbody>
              {snapshots.map((s, i) => (
                <tr
                  key={String(s['snapshot-id'])}
                  data-testid="timeline-snapshot"
                  className={String(s['snapshot-id']) === String(m['current-snapshot-id']) ? 'current' : ''}
                >
                  <td>{i + 1}</td>
                  <td className="mono">{String(s['snapshot-id'])}</td>
                  <td>{time(s['timestamp-ms'])}</td>
                  <td>{s.summary?.['operation'] ?? '—'}</td>
                  <td>{n(s, 'added-records')}</td>
                  <td>{n(s, 'deleted-records')}</td>
                  <td>{n(s, 'added-data-files')}</td>
                  <td>{n(s, 'deleted-data-files')}</td>
                  <td>
                    {refsOf(s).map(([ref, r]) => (
                      <span key={ref} className={`tag ${r.type}`}>
                        {r.type === 'branch' ? '⎇' : '🏷'} {ref}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

/**
 * A Lance table: its location, version and properties (described without vending credentials), and, when the catalog
 * manages its versions, the version history as the catalog recorded it (read-only): number, time, who committed it
 * (or which version it restores) and the manifest file, newest first.
 */
import type { LanceTableVersion } from '@lakegate/protocol';
import { useParams } from 'wouter';
import { lanceClient } from '../api/clients';
import { levelsOf, nameOf, showNamespace } from '../components/paths';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { useAsync } from '../components/use-async';
import { Breadcrumbs } from './catalog';
import { Properties } from '../components/key-values';
import { GridHead } from '../components/grid-head';

/** The most versions shown (the newest); the table may hold more. */
const VERSIONS_SHOWN = 200;
const time = (ms: number | undefined) =>
  ms === undefined
    ? '—'
    : new Date(ms)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');

export function LanceTablePage() {
  const params = useParams<{ warehouse: string; namespace: string; name: string }>();
  const warehouse = decodeURIComponent(params.warehouse);
  const levels = levelsOf(params.namespace);
  const name = nameOf(params.name);
  const table = useAsync(
    (signal) => lanceClient(warehouse).describeTable([...levels, name], { vendCredentials: false, signal }),
    [warehouse, params.namespace, name],
  );
  const d = table.data;
  return (
    <>
      <Breadcrumbs warehouse={warehouse} levels={levels} />
      <h1>
        <span className="dim">Lance table</span> {showNamespace(levels)}.{name}
      </h1>
      {table.status === 'loading' && <Loading what="the Lance table" />}
      {table.status === 'error' && <ErrorMessage error={table.error} retry={table.reload} />}
      {d && (
        <dl className="facts">
          <dt>Location</dt>
          <dd className="mono">{d.location ?? d.table_uri ?? '—'}</dd>
          <dt>Version</dt>
          <dd>{d.version === undefined ? '—' : String(d.version)}</dd>
          <dt>Versions managed by</dt>
          <dd>{d['managed_versioning'] === true ? 'the catalog' : 'the dataset'}</dd>
          <dt>Properties</dt>
          <dd>
            <Properties values={(d['properties'] as Record<string, string> | undefined) ?? {}} />
          </dd>
        </dl>
      )}
      {d && d['managed_versioning'] === true && <Versions warehouse={warehouse} id={[...levels, name]} />}
    </>
  );
}

function Versions({ warehouse, id }: { warehouse: string; id: string[] }) {
  const versions = useAsync(() => lanceClient(warehouse).listTableVersions(id, { descending: true, limit: VERSIONS_SHOWN }), [warehouse, id.join('\u0000')]);
  const items = versions.data?.items ?? [];
  return (
    <section aria-labelledby="versions">
      <h2 id="versions">Versions</h2>
      {versions.status === 'loading' && <Loading what="the versions" />}
      {versions.status === 'error' && <ErrorMessage error={versions.error} retry={versions.reload} />}
      {versions.data && items.length === 0 && <Empty>No versions yet: nothing has been committed to this table.</Empty>}
      {items.length > 0 && (
        <div className="scroll">
          <table className="grid" data-testid="lance-versions">
            <GridHead columns={['Version', 'Time', 'Committed by', 'Manifest']} />
            <tbody>
              {items.map((v: LanceTableVersion) => (
                <tr key={String(v.version)} data-testid="lance-version">
                  <td>{String(v.version)}</td>
                  <td>{time(v.timestamp_millis === undefined ? undefined : Number(v.timestamp_millis))}</td>
                  <td>
                    {v.metadata?.['lakegate.created-by'] ?? '—'}
                    {v.metadata?.['lakegate.restored-from'] !== undefined && (
                      <span className="dim"> (restores version {v.metadata['lakegate.restored-from']})</span>
                    )}
                  </td>
                  <td className="mono">{v.manifest_path}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {versions.data?.nextPageToken && <p className="dim">Showing the newest {VERSIONS_SHOWN} versions.</p>}
        </div>
      )}
    </section>
  );
}

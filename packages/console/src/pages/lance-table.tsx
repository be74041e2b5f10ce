/** A Lance table: its location, version and properties (described without vending credentials). */
import { useParams } from 'wouter';
import { lanceClient } from '../api/clients';
import { levelsOf, nameOf, showNamespace } from '../components/paths';
import { ErrorMessage, Loading } from '../components/states';
import { useAsync } from '../components/use-async';
import { Breadcrumbs, Properties } from './catalog';

export function LanceTablePage() {
  const params = useParams<{ warehouse: string; namespace: string; name: string }>();
  const warehouse = decodeURIComponent(params.warehouse);
  const levels = levelsOf(params.namespace);
  const name = nameOf(params.name);
  const table = useAsync((signal) => lanceClient(warehouse).describeTable([...levels, name], { vendCredentials: false, signal }), [warehouse, params.namespace, name]);
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
          <dt>Properties</dt>
          <dd>
            <Properties values={(d['properties'] as Record<string, string> | undefined) ?? {}} />
          </dd>
        </dl>
      )}
    </>
  );
}

/**
 * A view: its SQL per dialect for the current version, every version, its schema, properties, catalog-supplied labels,
 * and its row-filter and column-mask policies (over the current version's schema; components/policies.tsx).
 */
import { useState } from 'react';
import type { Labels } from '@lakegate/client/browser';
import { useParams } from 'wouter';
import { catalogClient } from '../api/clients';
import { levelsOf, nameOf, showNamespace } from '../components/paths';
import { LabelsPanel } from '../components/labels';
import { PoliciesPanel } from '../components/policies';
import { type Field, SchemaTree } from '../components/schema-tree';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { useAsync } from '../components/use-async';
import { Breadcrumbs } from './catalog';
import { Properties } from '../components/key-values';

interface ViewVersion {
  'version-id': number;
  'schema-id': number;
  'timestamp-ms': number;
  summary?: Record<string, string>;
  representations: Array<{ type: string; sql?: string; dialect?: string }>;
  'default-namespace'?: string[];
  'default-catalog'?: string;
}
interface ViewMeta {
  location: string;
  'view-uuid': string;
  'current-version-id': number;
  versions: ViewVersion[];
  schemas: Array<{ 'schema-id': number; fields: Field[] }>;
  properties?: Record<string, string>;
}

export function ViewPage() {
  const params = useParams<{ warehouse: string; namespace: string; name: string }>();
  const warehouse = decodeURIComponent(params.warehouse);
  const levels = levelsOf(params.namespace);
  const name = nameOf(params.name);
  const view = useAsync(() => catalogClient(warehouse).loadView({ namespace: levels, name }), [warehouse, params.namespace, name]);
  const m = view.data?.metadata as unknown as ViewMeta | undefined;
  return (
    <>
      <Breadcrumbs warehouse={warehouse} levels={levels} />
      <h1>
        <span className="dim">view</span> {showNamespace(levels)}.{name}
      </h1>
      {view.status === 'loading' && <Loading what="the view" />}
      {view.status === 'error' && <ErrorMessage error={view.error} retry={view.reload} />}
      {m && <ViewDetails m={m} labels={view.data?.labels} />}
      {m && (
        <section aria-labelledby="vpolicies">
          <h2 id="vpolicies">Row filters and column masks</h2>
          <PoliciesPanel warehouse={warehouse} levels={levels} name={name} kind="view" fields={currentFields(m)} />
        </section>
      )}
    </>
  );
}

/** The columns of the view's current version: what its policies name. */
function currentFields(m: ViewMeta): Field[] {
  const current = m.versions.find((v) => v['version-id'] === m['current-version-id']);
  return m.schemas.find((s) => s['schema-id'] === current?.['schema-id'])?.fields ?? [];
}

function ViewDetails({ m, labels }: { m: ViewMeta; labels: Labels | undefined }) {
  const [versionId, setVersionId] = useState(m['current-version-id']);
  const version = m.versions.find((v) => v['version-id'] === versionId);
  const schema = m.schemas.find((s) => s['schema-id'] === version?.['schema-id']);
  return (
    <div className="details">
      <dl className="facts">
        <dt>Location</dt>
        <dd className="mono">{m.location}</dd>
        <dt>View UUID</dt>
        <dd className="mono">{m['view-uuid']}</dd>
      </dl>
      <section aria-labelledby="versions">
        <h2 id="versions">Versions</h2>
        <label>
          Version{' '}
          <select value={versionId} onChange={(e) => setVersionId(Number(e.target.value))}>
            {[...m.versions].reverse().map((v) => (
              <option key={v['version-id']} value={v['version-id']}>
                {v['version-id']}
                {v['version-id'] === m['current-version-id'] ? ' (current)' : ''} — {new Date(v['timestamp-ms']).toISOString()}
              </option>
            ))}
          </select>
        </label>
      </section>
      <section aria-labelledby="sql">
        <h2 id="sql">SQL</h2>
        {version?.representations.filter((r) => r.type === 'sql').length ? (
          version.representations
            .filter((r) => r.type === 'sql')
            .map((r) => (
              <figure key={r.dialect} className="sql" data-testid="view-sql">
                <figcaption>{r.dialect}</figcaption>
                <pre>{r.sql}</pre>
              </figure>
            ))
        ) : (
          <Empty>This version has no SQL representation.</Empty>
        )}
      </section>
      <section aria-labelledby="vschema">
        <h2 id="vschema">Schema</h2>
        {schema ? <SchemaTree fields={schema.fields} /> : <Empty>No schema.</Empty>}
      </section>
      <section aria-labelledby="vprops">
        <h2 id="vprops">Properties</h2>
        <Properties values={m.properties ?? {}} />
      </section>
      <section aria-labelledby="vlabels">
        <h2 id="vlabels">Labels</h2>
        <LabelsPanel labels={labels} fieldName={(id) => schema?.fields.find((f) => f.id === id)?.name ?? `#${id}`} />
      </section>
    </div>
  );
}

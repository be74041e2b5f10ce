/**
 * A table's (or, with kind "view", a view's) row-filter and column-mask policies (issues 53, 54) on its page: each policy with the roles it restricts
 * and what it says; for a caller who may manage them (grants:manage on the table) a JSON editor with a row-filter
 * builder (policy-editor.tsx), and delete. What the listing answers is what is shown: a caller the server refuses
 * sees its sentence, never an empty list. A policy the server says cannot be applied to the current schema (status
 * `unusable`: a column it names is gone) carries a warning with the server's reason. Below, what a chosen principal, user or group would see, the signed-in
 * identity's own effective policy (policy-preview.tsx), and which engines enforce the warehouse's policies themselves
 * (enforcers.tsx).
 */
import { useState } from 'react';
import type { PolicyObjectKind, TablePolicy } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { GridHead } from './grid-head';
import { PolicyEditor } from './policy-editor';
import { Enforcers } from './enforcers';
import { MyEffectivePolicy, PolicyPreview } from './policy-preview';
import { restriction } from './policy-text';
import type { Field } from './schema-tree';
import { Empty, ErrorMessage, Loading } from './states';
import { useAsync } from './use-async';

export function PoliciesPanel({
  warehouse,
  levels,
  name,
  fields,
  kind = 'table',
}: {
  warehouse: string;
  levels: string[];
  name: string;
  fields: Field[];
  kind?: PolicyObjectKind;
}) {
  const table = { namespace: levels, name };
  const list = useAsync((signal) => managementClient().policies.list(warehouse, table, { signal, kind }), [warehouse, levels.join('\u001f'), name, kind]);
  const [editing, setEditing] = useState<{ policy?: TablePolicy } | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const saved = (text: string) => {
    setNotice(text);
    setEditing(undefined);
    list.reload();
  };
  return (
    <div className="policies">
      {list.status === 'loading' && !list.data && <Loading what={`the ${kind}'s policies`} />}
      {list.status === 'error' && <ErrorMessage error={list.error} retry={list.reload} />}
      {list.data &&
        (list.data.length === 0 ? (
          <Empty>No policy restricts this {kind}: whoever may read it reads every row and column as stored.</Empty>
        ) : (
          <table className="grid" data-testid="policies">
            <GridHead columns={['Policy', 'Kind', 'Roles', 'Restricts to', 'Version', '']} />
            <tbody>
              {list.data.map((p) => (
                <PolicyRow key={p.id} policy={p} onEdit={() => setEditing({ policy: p })} onDelete={() => deletePolicy(warehouse, table, kind, p, saved)} />
              ))}
            </tbody>
          </table>
        ))}
      {notice && (
        <p className="verdict allowed" role="status" data-testid="policy-notice">
          {notice}
        </p>
      )}
      {list.data && !editing && (
        <button type="button" onClick={() => setEditing({})}>
          New policy
        </button>
      )}
      {editing && (
        <PolicyEditor
          key={editing.policy?.id ?? 'new'}
          warehouse={warehouse}
          table={table}
          kind={kind}
          fields={fields}
          {...(editing.policy ? { policy: editing.policy } : {})}
          onSaved={(p) => saved(`Saved: ${p.kind} policy ${p.id}, version ${p.version}.`)}
          onCancel={() => setEditing(undefined)}
        />
      )}
      <h3>What a principal would see</h3>
      <PolicyPreview warehouse={warehouse} levels={levels} name={name} kind={kind} policies={list.data} />
      <h3>Your own effective policy</h3>
      <MyEffectivePolicy warehouse={warehouse} levels={levels} name={name} kind={kind} />
      <h3>Engines that enforce policies themselves</h3>
      <Enforcers warehouse={warehouse} />
    </div>
  );
}

function deletePolicy(
  warehouse: string,
  table: { namespace: string[]; name: string },
  kind: PolicyObjectKind,
  p: TablePolicy,
  done: (text: string) => void,
): Promise<void> {
  return managementClient()
    .policies.delete(warehouse, table, p.id, { kind })
    .then(() => done(`Deleted: ${p.kind} policy ${p.id}.`));
}

function PolicyRow({ policy: p, onEdit, onDelete }: { policy: TablePolicy; onEdit: () => void; onDelete: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>();
  return (
    <tr data-testid="policy" data-id={p.id} data-status={p.status ?? ''}>
      <td className="mono">
        {p.id}
        {p.description ? <div className="dim">{p.description}</div> : null}
      </td>
      <td>{p.kind}</td>
      <td>{p.roles.join(', ')}</td>
      <td data-testid="policy-restriction">
        {p.status === 'unusable' && (
          <div className="verdict denied" role="alert" data-testid="policy-unusable">
            <strong>Cannot be applied</strong> to the {p['object-type'] ?? 'table'}'s current schema: {p.reason ?? 'no reason given'}. Restricted reads are
            refused (403) until this policy is updated or deleted.
          </div>
        )}
        {restriction(p)}
        <details>
          <summary>JSON</summary>
          <pre className="mono">{JSON.stringify(p.kind === 'row-filter' ? p.filter : p.masks, null, 2)}</pre>
        </details>
      </td>
      <td>{p.version}</td>
      <td>
        <button type="button" onClick={onEdit}>
          Edit
        </button>{' '}
        {confirming ? (
          <button type="button" onClick={() => void onDelete().catch(setError)}>
            Confirm delete
          </button>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            Delete
          </button>
        )}
        {error !== undefined && <ErrorMessage error={error} />}
      </td>
    </tr>
  );
}

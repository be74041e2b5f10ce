/**
 * Creating or changing a table's policy: the request body as JSON (what the management API takes, so nothing the
 * server accepts is out of reach), checked by the server alone: its refusal is shown in its own words (an unknown
 * column, a mask that does not suit the column's type, an unknown role, a policy changed since it was opened). A
 * row filter can be built as conditions joined by and/or, and masks added column by column (policy-builders.tsx),
 * into the JSON.
 */
import { type FormEvent, useState } from 'react';
import type { CreatePolicyRequest, TablePolicy, UpdatePolicyRequest } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { FilterBuilder, MaskBuilder, masksOf } from './policy-builders';
import type { Field } from './schema-tree';
import { ErrorMessage } from './states';

/** The JSON a policy is edited as: its update body (roles, filter or masks, description), based on its version. */
function editable(p: TablePolicy | undefined): string {
  if (!p) return JSON.stringify({ kind: 'row-filter', roles: [], filter: true }, null, 2);
  const body = {
    roles: p.roles,
    ...(p.kind === 'row-filter' ? { filter: p.filter } : { masks: (p.masks ?? []).map(({ 'field-id': _id, ...m }) => m) }),
    ...(p.description !== undefined ? { description: p.description } : {}),
  };
  return JSON.stringify(body, null, 2);
}

export function PolicyEditor({
  warehouse,
  table,
  kind: objectKind = 'table',
  fields,
  policy,
  onSaved,
  onCancel,
}: {
  warehouse: string;
  table: { namespace: string[]; name: string };
  kind?: 'table' | 'view';
  fields: Field[];
  policy?: TablePolicy;
  onSaved: (p: TablePolicy) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState(() => editable(policy));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      setError(new Error(`The policy is not JSON: ${(err as Error).message}`));
      return;
    }
    setBusy(true);
    try {
      const policies = managementClient().policies;
      const saved = policy
        ? await policies.update(warehouse, table, policy.id, { version: policy.version, ...body } as UpdatePolicyRequest, { kind: objectKind })
        : await policies.create(warehouse, table, body as CreatePolicyRequest, { kind: objectKind });
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  /** A builder's change applied to the JSON as it stands (or, when it is not JSON, to a fresh body). */
  const edit = (change: (body: Record<string, unknown>) => Record<string, unknown>) => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = policy ? { roles: policy.roles } : { kind: 'row-filter', roles: [] };
    }
    setText(JSON.stringify(change(body), null, 2));
  };
  const kind = policy?.kind ?? (/"kind"\s*:\s*"column-mask"/.test(text) ? 'column-mask' : 'row-filter');
  return (
    <form className="policy-editor" aria-label={policy ? `Edit policy ${policy.id}` : 'New policy'} onSubmit={(e) => void save(e)}>
      <h3>{policy ? `Edit ${policy.kind} policy ${policy.id} (version ${policy.version})` : 'New policy'}</h3>
      <p className="hint">
        {policy
          ? 'Its kind stays. Saving sends the version it was opened at: if someone changed it since, the server refuses and says so.'
          : 'kind: row-filter (with "filter", Iceberg expression JSON) or column-mask (with "masks": [{"column", "action", "value"?}]); roles: the roles it restricts.'}
      </p>
      {!policy && (
        <label>
          Kind
          <select
            name="policy-kind"
            value={kind}
            onChange={(e) =>
              edit((b) => ({ kind: e.target.value, roles: b['roles'] ?? [], ...(e.target.value === 'row-filter' ? { filter: true } : { masks: [] }) }))
            }
          >
            <option value="row-filter">row-filter: the rows its roles may read</option>
            <option value="column-mask">column-mask: columns its roles see masked</option>
          </select>
        </label>
      )}
      {kind === 'row-filter' ? (
        <FilterBuilder fields={fields} onUse={(filter) => edit((b) => ({ ...b, filter }))} />
      ) : (
        <MaskBuilder fields={fields} onAdd={(mask) => edit((b) => ({ ...b, masks: [...masksOf(b).filter((m) => m.column !== mask.column), mask] }))} />
      )}
      <label className="wide">
        Policy JSON
        <textarea name="policy-json" rows={10} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Saving…' : 'Save'}
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {error !== undefined && <ErrorMessage error={error} />}
    </form>
  );
}

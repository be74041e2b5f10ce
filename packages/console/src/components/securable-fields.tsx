/** Inputs for a securable: its type, warehouse, namespace (levels separated by dots) and object name. */
import type { Securable } from '@lakegate/client/browser';

export interface SecurableDraft {
  type: Securable['type'];
  warehouse: string;
  namespace: string;
  name: string;
}

export const emptySecurable = (warehouse = 'default'): SecurableDraft => ({ type: 'warehouse', warehouse, namespace: '', name: '' });

export function toSecurable(d: SecurableDraft): Securable {
  const namespace = d.namespace
    .split('.')
    .map((l) => l.trim())
    .filter(Boolean);
  if (d.type === 'warehouse') return { type: 'warehouse', warehouse: d.warehouse.trim() };
  if (d.type === 'namespace') return { type: 'namespace', warehouse: d.warehouse.trim(), namespace };
  return { type: d.type, warehouse: d.warehouse.trim(), namespace, name: d.name.trim() };
}

export function describeSecurable(s: Securable): string {
  if (s.type === 'warehouse') return `warehouse ${s.warehouse}`;
  if (s.type === 'namespace') return `namespace ${s.warehouse}/${s.namespace.join('.')}`;
  return `${s.type} ${s.warehouse}/${s.namespace.join('.')}.${s.name}`;
}

export function SecurableFields({ value, onChange, legend = 'On' }: { value: SecurableDraft; onChange: (d: SecurableDraft) => void; legend?: string }) {
  return (
    <fieldset className="securable">
      <legend>{legend}</legend>
      <label>
        Type
        <select name="securable-type" value={value.type} onChange={(e) => onChange({ ...value, type: e.target.value as Securable['type'] })}>
          <option value="warehouse">warehouse</option>
          <option value="namespace">namespace</option>
          <option value="table">table</option>
          <option value="view">view</option>
        </select>
      </label>
      <label>
        Warehouse
        <input name="securable-warehouse" value={value.warehouse} onChange={(e) => onChange({ ...value, warehouse: e.target.value })} required />
      </label>
      {value.type !== 'warehouse' && (
        <label>
          Namespace
          <input
            name="securable-namespace"
            placeholder="sales.eu"
            value={value.namespace}
            onChange={(e) => onChange({ ...value, namespace: e.target.value })}
            required
          />
        </label>
      )}
      {(value.type === 'table' || value.type === 'view') && (
        <label>
          Name
          <input name="securable-name" value={value.name} onChange={(e) => onChange({ ...value, name: e.target.value })} required />
        </label>
      )}
    </fieldset>
  );
}

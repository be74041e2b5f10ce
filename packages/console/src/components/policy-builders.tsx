/**
 * The builders of the policy editor (policy-editor.tsx): a row filter as conditions `column op value` joined by and/or
 * (expression.ts), and a column mask as column, action and (mask-to-fixed-value) value. Each hands its piece to the
 * editor, which puts it into the policy's JSON; the server checks the result.
 */
import { useState } from 'react';
import type { TablePolicy } from '@lakegate/client/browser';
import { POLICY_MASK_ACTIONS } from '@lakegate/protocol/constants';
import { type Condition, joined, literal, OPS, UNARY } from './expression';
import type { Field } from './schema-tree';

type Mask = { column: string; action: NonNullable<TablePolicy['masks']>[number]['action']; value?: unknown };

/** The masks a policy body holds so far (none when it has none, or not a list). */
export const masksOf = (body: Record<string, unknown>): Mask[] => (Array.isArray(body['masks']) ? (body['masks'] as Mask[]) : []);

/** A mask for one column (it replaces that column's mask in the JSON, if any). */
export function MaskBuilder({ fields, onAdd }: { fields: Field[]; onAdd: (mask: Mask) => void }) {
  const columns = fields.filter((f) => typeof f.type === 'string');
  const [column, setColumn] = useState(columns[0]?.name ?? '');
  const [action, setAction] = useState<Mask['action']>('replace-with-null');
  const [value, setValue] = useState('');
  const field = columns.find((f) => f.name === column);
  return (
    <fieldset className="mask-builder" aria-label="Column mask builder">
      <legend>Column mask builder</legend>
      <div className="row">
        <select aria-label="Column" name="mask-column" value={column} onChange={(e) => setColumn(e.target.value)}>
          {columns.map((f) => (
            <option key={f.id} value={f.name}>
              {f.name} ({String(f.type)})
            </option>
          ))}
        </select>
        <select aria-label="Action" name="mask-action" value={action} onChange={(e) => setAction(e.target.value as Mask['action'])}>
          {POLICY_MASK_ACTIONS.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
        {action === 'mask-to-fixed-value' && <input aria-label="Shown value" name="mask-value" value={value} onChange={(e) => setValue(e.target.value)} />}
        <button
          type="button"
          disabled={column === ''}
          onClick={() => onAdd({ column, action, ...(action === 'mask-to-fixed-value' ? { value: literal(field, value) } : {}) })}
        >
          Add to the masks
        </button>
      </div>
    </fieldset>
  );
}

/** Conditions (`column op value`) joined by and/or, put into the policy's "filter". */
export function FilterBuilder({ fields, onUse }: { fields: Field[]; onUse: (filter: unknown) => void }) {
  const blank = (): Condition => ({ column: fields[0]?.name ?? '', op: 'eq', value: '' });
  const [conditions, setConditions] = useState<Condition[]>(() => [blank()]);
  const [join, setJoin] = useState<'and' | 'or'>('and');
  const set = (i: number, change: Partial<Condition>) => setConditions((cs) => cs.map((c, j) => (j === i ? { ...c, ...change } : c)));
  return (
    <fieldset className="filter-builder" aria-label="Row filter builder">
      <legend>Row filter builder</legend>
      {conditions.map((c, i) => (
        <div className="row" key={i} data-testid="filter-condition">
          {i > 0 && <span className="dim">{join}</span>}
          <select aria-label="Column" name={`filter-column-${i}`} value={c.column} onChange={(e) => set(i, { column: e.target.value })}>
            {fields.map((f) => (
              <option key={f.id} value={f.name}>
                {f.name}
              </option>
            ))}
          </select>
          <select aria-label="Operator" name={`filter-op-${i}`} value={c.op} onChange={(e) => set(i, { op: e.target.value })}>
            {OPS.map(([label, type]) => (
              <option key={type} value={type}>
                {label}
              </option>
            ))}
          </select>
          {!UNARY.has(c.op) && (
            <input
              aria-label="Value"
              name={`filter-value-${i}`}
              value={c.value}
              onChange={(e) => set(i, { value: e.target.value })}
              placeholder={c.op === 'in' ? 'a, b, c' : ''}
            />
          )}
          {conditions.length > 1 && (
            <button type="button" onClick={() => setConditions((cs) => cs.filter((_, j) => j !== i))}>
              Remove
            </button>
          )}
        </div>
      ))}
      <div className="row">
        <button type="button" onClick={() => setConditions((cs) => [...cs, blank()])}>
          Add condition
        </button>
        <label>
          Join with
          <select name="filter-join" value={join} onChange={(e) => setJoin(e.target.value as 'and' | 'or')}>
            <option value="and">and (all of them)</option>
            <option value="or">or (any of them)</option>
          </select>
        </label>
        <button type="button" onClick={() => onUse(joined(fields, conditions, join))}>
          Use as the filter
        </button>
      </div>
    </fieldset>
  );
}

/** An Iceberg schema as a tree: structs, lists and maps nest; each field shows its id, type and whether it is required. */
type IcebergType =
  | string
  | { type: 'struct'; fields: Field[] }
  | { type: 'list'; element: IcebergType; 'element-required'?: boolean }
  | { type: 'map'; key: IcebergType; value: IcebergType; 'value-required'?: boolean };
export interface Field {
  id: number;
  name: string;
  type: IcebergType;
  required: boolean;
  doc?: string;
}

function typeName(t: IcebergType): string {
  if (typeof t === 'string') return t;
  if (t.type === 'struct') return 'struct';
  if (t.type === 'list') return `list<${typeName(t.element)}>`;
  return `map<${typeName(t.key)}, ${typeName(t.value)}>`;
}

function children(t: IcebergType): Field[] {
  if (typeof t === 'string') return [];
  if (t.type === 'struct') return t.fields;
  if (t.type === 'list') return typeof t.element === 'object' && t.element.type === 'struct' ? t.element.fields : [];
  return typeof t.value === 'object' && t.value.type === 'struct' ? t.value.fields : [];
}

export function SchemaTree({ fields, identifierIds = [] }: { fields: Field[]; identifierIds?: number[] }) {
  return (
    <ul className="schema" role="tree" aria-label="Schema">
      {fields.map((f) => (
        <FieldNode key={f.id} field={f} identifierIds={identifierIds} />
      ))}
    </ul>
  );
}

function FieldNode({ field, identifierIds }: { field: Field; identifierIds: number[] }) {
  const nested = children(field.type);
  return (
    <li role="treeitem" aria-expanded={nested.length ? true : undefined}>
      <span className="field">
        <span className="mono name">{field.name}</span> <span className="type">{typeName(field.type)}</span>
        {field.required ? <span className="tag">required</span> : <span className="tag dim">optional</span>}
        {identifierIds.includes(field.id) && <span className="tag">identifier</span>}
        <span className="dim"> id {field.id}</span>
        {field.doc && <span className="dim"> — {field.doc}</span>}
      </span>
      {nested.length > 0 && (
        <ul role="group">
          {nested.map((c) => (
            <FieldNode key={c.id} field={c} identifierIds={identifierIds} />
          ))}
        </ul>
      )}
    </li>
  );
}

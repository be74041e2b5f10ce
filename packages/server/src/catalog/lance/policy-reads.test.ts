import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../errors/catalog-error.js';
import { combine } from '../policies/effective.js';
import type { Policy } from '../ports/policies.js';
import { bindPolicy, derivationCaller, lanceSchema } from './policy-reads.js';

const columns = [
  { name: 'id', type: 'long', nullable: false },
  { name: 'region', type: 'string', nullable: true },
  { name: 'email', type: 'string', nullable: true },
  { name: 'vector', type: 'nested', nullable: true },
];
const policy = (p: Partial<Policy>): Policy => ({
  id: p.id ?? 'p1',
  tenant: 't',
  warehouse: 'w',
  objectId: 'o',
  kind: p.kind ?? 'row-filter',
  roles: ['r'],
  version: 1,
  createdAtMs: 0,
  updatedAtMs: 0,
  ...p,
});

describe('Lance policy binding', () => {
  it('numbers columns by position, nested ones as structs no policy may name', () => {
    const schema = lanceSchema(columns);
    expect(schema.fields.map((f) => [f.id, f.name, f.required])).toEqual([
      [1, 'id', true],
      [2, 'region', false],
      [3, 'email', false],
      [4, 'vector', false],
    ]);
    expect(schema.fields[3]!.type).toEqual({ type: 'struct', fields: [] });
  });

  it('binds masks by column name against the current columns, whatever field id the policy was written with', () => {
    const effective = combine([
      policy({ kind: 'column-mask', masks: [{ fieldId: 2, column: 'email', action: 'mask-alphanum' }] }),
      policy({ id: 'p2', filter: { type: 'eq', term: 'region', value: 'eu' } }),
    ]);
    const bound = bindPolicy(effective, columns);
    expect(bound.masks).toEqual([{ fieldId: 3, action: 'mask-alphanum' }]);
    expect(bound.filter).toMatchObject({ op: 'eq', field: { id: 2, name: 'region' } });
    // sha-256-query-local is keyed per policy version, as the Iceberg path's derived files are.
    expect(Buffer.from(bound.salt).toString('hex')).toHaveLength(64);
    expect(bindPolicy(effective, columns).salt).toEqual(bound.salt);
  });

  it('fails closed (ERR_UNPROCESSABLE) when a masked or filtered column is gone', () => {
    const masked = combine([policy({ kind: 'column-mask', masks: [{ fieldId: 3, column: 'email', action: 'replace-with-null' }] })]);
    const filtered = combine([policy({ filter: { type: 'eq', term: 'region', value: 'eu' } })]);
    const without = (name: string) => columns.filter((c) => c.name !== name);
    for (const [p, gone] of [
      [masked, 'email'],
      [filtered, 'region'],
    ] as const) {
      const e = (() => {
        try {
          bindPolicy(p, without(gone));
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(CatalogError);
      expect((e as CatalogError).code).toBe('ERR_UNPROCESSABLE');
    }
  });

  it('derives as a caller no policy can apply to (no roles), never the reader itself', () => {
    const reader = {
      tenant: 't',
      description: 'service:analyst',
      key: 'k',
      members: [{ kind: 'principal' as const, name: 'analyst' }],
      admin: false,
      unrestricted: false,
    };
    const caller = derivationCaller(reader as never);
    expect(caller).toMatchObject({ tenant: 't', members: [], unrestricted: true, description: 'lakegate:policy-derivation for service:analyst' });
  });
});

describe('Lance policy binding of nested columns', () => {
  const nested = [
    { name: 'id', type: 'long', nullable: false },
    {
      name: 'person',
      type: 'struct',
      nullable: true,
      fields: [
        { name: 'name', type: 'string', nullable: true },
        { name: 'address', type: 'struct', nullable: true, fields: [{ name: 'city', type: 'string', nullable: true }] },
      ],
    },
    { name: 'vector', type: 'list', nullable: true },
    { name: 'tier', type: 'string', nullable: true },
  ];

  it("numbers the top-level columns by position, then structs' fields and lists' elements depth first", () => {
    const schema = lanceSchema(nested);
    expect(schema.fields.map((f) => f.id)).toEqual([1, 2, 3, 4]);
    expect(schema.fields[1]!.type).toEqual({
      type: 'struct',
      fields: [
        { id: 5, name: 'name', required: false, type: 'string' },
        { id: 6, name: 'address', required: false, type: { type: 'struct', fields: [{ id: 7, name: 'city', required: false, type: 'string' }] } },
      ],
    });
    expect(schema.fields[2]!.type).toMatchObject({ type: 'list', 'element-id': 8 });
  });

  it("binds a struct's field by its dotted path, and fails closed when a masked column's type no longer suits its action", () => {
    const effective = combine([
      policy({
        kind: 'column-mask',
        masks: [
          { fieldId: 7, column: 'person.address.city', action: 'sha-256-global' },
          { fieldId: 3, column: 'vector', action: 'replace-with-null' },
        ],
      }),
      policy({ id: 'p2', filter: { type: 'eq', term: 'person.name', value: 'ann' } }),
    ]);
    const bound = bindPolicy(effective, nested);
    expect([...bound.masks].sort((a, b) => a.fieldId - b.fieldId)).toEqual([
      { fieldId: 3, action: 'replace-with-null' },
      { fieldId: 7, action: 'sha-256-global' },
    ]);
    expect(bound.filter).toMatchObject({ op: 'eq', field: { id: 5, name: 'person.name' } });
    // `tier` hashed, then re-created as a list: the hash would be of a list's text; the read fails instead.
    const hashed = combine([policy({ kind: 'column-mask', masks: [{ fieldId: 4, column: 'tier', action: 'sha-256-global' }] })]);
    const retyped = nested.map((c) => (c.name === 'tier' ? { ...c, type: 'list' } : c));
    expect(() => bindPolicy(hashed, retyped)).toThrow(/cannot be applied to its current schema/);
  });
});

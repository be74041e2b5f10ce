import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../errors/catalog-error.js';
import type { Schema, StructField } from '../metadata/types.js';
import type { Policy } from '../ports/policies.js';
import { filterTermsOf, followPolicy, tableSchemas } from './follow.js';
import { currentSchema } from './object-schema.js';

const field = (id: number, name: string, type: StructField['type'] = 'string'): StructField => ({ id, name, type, required: false });
const schemaOf = (id: number, ...fields: StructField[]): Schema => ({ type: 'struct', 'schema-id': id, fields });
const person = (city: string) => field(3, 'person', { type: 'struct', fields: [field(4, city)] });

const policy = (filter: unknown, more: Partial<Policy> = {}): Policy => ({
  id: 'p1',
  tenant: 't',
  warehouse: 'w',
  objectId: 'o',
  kind: 'row-filter',
  roles: ['r'],
  filter,
  version: 1,
  createdAtMs: 0,
  updatedAtMs: 0,
  ...more,
});

const refusal = (fn: () => unknown): CatalogError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof CatalogError) return e;
    throw e;
  }
  throw new Error('not refused');
};

describe('a row filter follows its field ids', () => {
  const written = schemaOf(0, field(1, 'a'), field(2, 'b'), person('city'));
  const filter = {
    type: 'and',
    left: { type: 'eq', term: { type: 'reference', term: 'a' }, value: 'x' },
    right: { type: 'or', left: { type: 'not-null', term: 'person.city' }, right: { type: 'not', child: { type: 'eq', term: 'b', value: 'y' } } },
  };

  it('keeps each term with its field id, and renames reference objects, strings and struct paths alike', () => {
    const terms = filterTermsOf(filter, written);
    expect(terms).toEqual([
      { term: 'a', fieldId: 1 },
      { term: 'person.city', fieldId: 4 },
      { term: 'b', fieldId: 2 },
    ]);
    const renamed = schemaOf(1, field(1, 'a2'), field(2, 'b2'), person('town'), field(5, 'a'));
    const followed = followPolicy(policy(filter, { fieldIds: [1, 2, 4], filterTerms: terms }), [renamed]);
    expect(followed.filter).toEqual({
      type: 'and',
      left: { type: 'eq', term: { type: 'reference', term: 'a2' }, value: 'x' },
      right: { type: 'or', left: { type: 'not-null', term: 'person.town' }, right: { type: 'not', child: { type: 'eq', term: 'b2', value: 'y' } } },
    });
    // It follows again from its new names (to a scan's schema).
    expect(followPolicy(followed, [written]).filter).toEqual(filter);
  });

  it('fails closed naming the policy when a field id is gone or its type no longer suits', () => {
    const terms = filterTermsOf(filter, written);
    const gone = refusal(() => followPolicy(policy(filter, { filterTerms: terms }), [schemaOf(1, field(1, 'a'), person('city'))]));
    expect(gone.code).toBe('ERR_FORBIDDEN');
    expect(gone.message).toMatch(/row-filter policy p1 .*'b' \(field id 2\) is no longer in the schema/);
    const retyped = refusal(() => followPolicy(policy(filter, { filterTerms: terms }), [schemaOf(1, field(1, 'a', 'int'), field(2, 'b'), person('city'))]));
    expect(retyped.message).toMatch(/policy p1 .*no longer binds/);
  });

  it('resolves a policy stored with sorted field ids only through the older schemas, and refuses when they disagree', () => {
    const stored = policy({ type: 'eq', term: 'region', value: 'eu' }, { fieldIds: [2] });
    const original = schemaOf(0, field(1, 'id'), field(2, 'region'));
    const renamedAndReused = schemaOf(2, field(1, 'id'), field(2, 'region_old'), field(3, 'region'));
    expect(followPolicy(stored, [renamedAndReused, original]).filter).toEqual({ type: 'eq', term: 'region_old', value: 'eu' });
    // Not written against any kept schema (its column dropped): refused, never bound to the new column of that name.
    expect(refusal(() => followPolicy({ ...stored, fieldIds: [9] }, [renamedAndReused, original])).code).toBe('ERR_FORBIDDEN');
    // Two columns swapped names: both schemas bind the names to ids {1, 2}, differently.
    const two = policy({ type: 'and', left: { type: 'eq', term: 'x', value: 'a' }, right: { type: 'eq', term: 'y', value: 'b' } }, { fieldIds: [1, 2] });
    const swapped = refusal(() => followPolicy(two, [schemaOf(1, field(1, 'y'), field(2, 'x')), schemaOf(0, field(1, 'x'), field(2, 'y'))]));
    expect(swapped.message).toMatch(/meant different columns/);
  });

  it("shows a mask's column by its current name", () => {
    const masks = [{ fieldId: 4, column: 'person.city', action: 'show-first-4' as const }];
    const followed = followPolicy(policy(undefined, { kind: 'column-mask', masks }), [schemaOf(1, person('town'))]);
    expect(followed.masks).toEqual([{ fieldId: 4, column: 'person.town', action: 'show-first-4' }]);
    expect(refusal(() => followPolicy(policy(undefined, { kind: 'column-mask', masks }), [schemaOf(1, field(1, 'a'))])).message).toMatch(
      /column-mask policy p1 .*'person.city' \(field id 4\) is no longer in the schema/,
    );
  });
});

describe('a table metadata file that names its one schema only (format v1, a federated pointer or an older registration)', () => {
  it('is read as that schema; one of no schema at all is a 422, never a TypeError', () => {
    const { 'schema-id': _id, ...legacy } = schemaOf(0, field(1, 'id'), field(2, 'email'));
    const metadata = { 'format-version': 1, schema: legacy } as never;
    expect(tableSchemas(metadata)).toEqual([{ ...legacy, 'schema-id': 0 }]);
    expect(currentSchema({ kind: 'table', metadataJson: JSON.stringify(metadata) }).fields.map((f) => f.name)).toEqual(['id', 'email']);
    for (const broken of [{}, { schemas: 'x' }, { schemas: [null], 'current-schema-id': 0 }]) {
      expect(() => tableSchemas(broken as never)).toThrow(CatalogError);
      expect(() => currentSchema({ kind: 'table', metadataJson: JSON.stringify(broken) })).toThrow(CatalogError);
    }
  });
});

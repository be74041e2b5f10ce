import { readFileSync } from 'node:fs';
import path from 'node:path';
import { transformer } from '@openfga/syntax-transformer';
import { describe, expect, it } from 'vitest';
import { PRIVILEGES } from '../../../catalog/privileges.js';
import { type AuthorizationModel, authorizationModel, privilegeOfRelation, relationOf } from './model.js';
import { sameModel } from './store-setup.js';

describe('OpenFGA model', () => {
  it("is what lakegate.fga says (the DSL, transformed by OpenFGA's own syntax transformer)", () => {
    const dsl = readFileSync(path.join(import.meta.dirname, 'lakegate.fga'), 'utf8');
    const fromDsl = transformer.transformDSLToJSONObject(dsl) as unknown as AuthorizationModel;
    const generated = authorizationModel();
    if (!sameModel(fromDsl, generated)) {
      // Show what the file should say.
      expect(dsl.replace(/^#.*\n/gm, '').trim()).toBe(transformer.transformJSONToDSL(generated as never).trim());
    }
    expect(sameModel(fromDsl, generated)).toBe(true);
  });

  it('names one relation per privilege, and back', () => {
    expect(relationOf('table:read-data')).toBe('table_read_data');
    expect(relationOf('namespace:update-properties')).toBe('namespace_update_properties');
    for (const p of PRIVILEGES) expect(privilegeOfRelation(relationOf(p))).toBe(p);
    expect(privilegeOfRelation('parent')).toBeUndefined();
    expect(privilegeOfRelation('can_any')).toBeUndefined();
    expect(privilegeOfRelation('can_table_read_data')).toBeUndefined();
  });

  it('compares models by content, not by what the server adds', () => {
    const a = authorizationModel();
    const stored = JSON.parse(JSON.stringify(a)) as AuthorizationModel & { id: string };
    stored.id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    // A stored model read back from OpenFGA: null metadata, which TypeDefinition does not allow, is what a server sends.
    (stored.type_definitions[0] as unknown as Record<string, unknown>).metadata = null;
    (stored.type_definitions[1]!.metadata as Record<string, unknown>).module = '';
    expect(sameModel(stored, a)).toBe(true);
    const changed = authorizationModel();
    changed.type_definitions = changed.type_definitions.filter((t) => t.type !== 'view');
    expect(sameModel(changed, a)).toBe(false);
  });
});

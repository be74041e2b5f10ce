/**
 * Two checks of format v3 inputs that were accepted though the spec does not allow them (issue 42 item 7): a
 * geography type with an edge-interpolation algorithm the spec does not name, and an encryption key added to a
 * table below format v3 (encryption-keys is a v3 field). Both are 400 (ERR_VALIDATION), nothing applied.
 */
import { describe, expect, it } from 'vitest';
import { normalizePrimitive } from './schema.js';
import { applyTableUpdates, newTableMetadata } from './table-metadata-builder.js';

const table = (formatVersion: number) =>
  newTableMetadata({
    schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] },
    location: 's3://bucket/wh/ns/t',
    properties: { 'format-version': String(formatVersion) },
    uuid: '11111111-1111-4111-8111-111111111111',
    nowMs: 1_700_000_000_000,
  });
const ctx = { nowMs: 1_700_000_010_000, newUuid: () => '00000000-0000-4000-8000-000000000000' };
const key = { action: 'add-encryption-key' as const, 'encryption-key': { 'key-id': 'k1', 'encrypted-key-metadata': 'AAAA' } };

describe('geography edge-interpolation algorithms', () => {
  it('accepts the algorithms the spec names, and none', () => {
    for (const t of ['geography', 'geography(srid:4326)', 'geography(srid:4326, spherical)', 'geography(OGC:CRS84, karney)', 'geography(srid:4326,vincenty)']) {
      expect(normalizePrimitive(t, 'type')).toBe(t);
    }
  });

  it('refuses an unknown one with a validation error naming it', () => {
    expect(() => normalizePrimitive('geography(srid:4326, flat-earth)', 'schema.fields[0].type')).toThrowError(
      expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringContaining("unknown edge-interpolation algorithm 'flat-earth'") }),
    );
  });
});

describe('add-encryption-key', () => {
  it('is refused below format v3 and applied on v3', () => {
    expect(() => applyTableUpdates(table(2), [key], ctx)).toThrowError(
      expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringContaining('format v3') }),
    );
    expect(applyTableUpdates(table(3), [key], ctx)['encryption-keys']).toHaveLength(1);
    // After an upgrade in the same commit it is v3 and allowed.
    expect(applyTableUpdates(table(2), [{ action: 'upgrade-format-version', 'format-version': 3 }, key], ctx)['encryption-keys']).toHaveLength(1);
  });
});

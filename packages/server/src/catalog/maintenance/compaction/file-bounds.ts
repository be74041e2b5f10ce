/**
 * Column bounds of a compacted file: from the rewriter's ranges of the file's own rows (ColumnRange, encoded here
 * in the spec's single-value binary form for the column's Iceberg type), else, for a column it gave none for (a type
 * it does not range, a value of an unexpected form), the inputs' merged bounds (merged-bounds.ts), which hold every
 * output file's rows. Own bounds are what let a scan skip a file of a group cut into several: each holds a narrow
 * range of a sort or z-order key. Strings and binary are cut as Iceberg's default metrics mode `truncate(16)` cuts
 * them: the lower bound to 16 characters (bytes), the upper bound too with its last one raised, or none (then the
 * merged one) when no such raise exists.
 */
import type { Schema } from '../../metadata/types.js';
import type { ContentFile } from '../../ports/manifests.js';
import type { ColumnRange } from '../../planning/rewrite-ports.js';
import { type Value, typeName } from '../../planning/values.js';
import { singleValue } from '../../single-value.js';
import { type Bounds, mergedBounds } from './merged-bounds.js';

const TRUNCATE = 16;

export function fileBounds(
  ranges: ReadonlyMap<number, ColumnRange> | undefined,
  inputs: readonly ContentFile[],
  schema: Schema,
  /** The inputs' merged bounds, when the caller merged them already (once a group, paced: compact.ts). */
  merged: Bounds = mergedBounds(inputs, schema),
): Bounds {
  const lower = new Map(merged.lower);
  const upper = new Map(merged.upper);
  for (const field of schema.fields) {
    const range = ranges?.get(field.id);
    if (typeof field.type !== 'string' || range === undefined) continue;
    const lo = encode(field.type, range.lower, range.unit, 'lower');
    const hi = encode(field.type, range.upper, range.unit, 'upper');
    if (lo === undefined || hi === undefined) continue;
    lower.set(field.id, lo);
    upper.set(field.id, hi);
  }
  return { lower, upper };
}

/** The types other than string and binary (cut below) whose ranges are encoded; the others keep the merged bounds. */
const WHOLE = new Set(['boolean', 'int', 'date', 'long', 'float', 'double']);

/** A value as a bound of an Iceberg type, or undefined when it is not of that type's form. */
export function encode(type: string, v: Value, unit: string | undefined, side: 'lower' | 'upper'): Uint8Array | undefined {
  const t = typeName(type);
  if (WHOLE.has(t)) return singleValue(t, v);
  if (/^timestamp(tz)?(_ns)?$/.test(t)) {
    const wanted = t.endsWith('_ns') ? 'ns' : 'us';
    return typeof v === 'bigint' && unit === wanted ? singleValue(t, v) : undefined;
  }
  if (t === 'string') {
    if (typeof v !== 'string') return undefined;
    const chars = [...v];
    if (chars.length <= TRUNCATE) return new Uint8Array(Buffer.from(v, 'utf8'));
    const cut = chars.slice(0, TRUNCATE);
    if (side === 'lower') return new Uint8Array(Buffer.from(cut.join(''), 'utf8'));
    // The least string above every string with this prefix: the last character that can be raised, raised.
    for (let i = cut.length - 1; i >= 0; i--) {
      let next = cut[i]!.codePointAt(0)! + 1;
      if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
      if (next > 0x10ffff) continue;
      return new Uint8Array(Buffer.from(cut.slice(0, i).join('') + String.fromCodePoint(next), 'utf8'));
    }
    return undefined;
  }
  if (t === 'binary') {
    if (!(v instanceof Uint8Array)) return undefined;
    if (v.length <= TRUNCATE) return v.slice();
    if (side === 'lower') return v.slice(0, TRUNCATE);
    for (let i = TRUNCATE - 1; i >= 0; i--) {
      if (v[i]! === 0xff) continue;
      const out = v.slice(0, i + 1);
      out[i] = v[i]! + 1;
      return out;
    }
    return undefined;
  }
  return undefined;
}

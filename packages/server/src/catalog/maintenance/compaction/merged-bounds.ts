/**
 * Column bounds of a compacted file, from its inputs' bounds: per top-level primitive column, the least lower bound
 * and the greatest upper bound of the files it was rewritten from. The rewriter reports counts, not bounds; a range
 * that holds every input's range holds the output's (deletes only remove rows), so scans keep pruning compacted
 * files by their statistics. A column some input has no bound for (all nulls, or metrics off) gets none, and so
 * does one whose bounds cannot be compared (a type the value decoder does not know).
 */
import type { ContentFile } from '../../ports/manifests.js';
import type { Schema } from '../../metadata/types.js';
import { compare, fromBinary } from '../../planning/values.js';

export function mergedBounds(inputs: readonly ContentFile[], schema: Schema): { lower: Map<number, Uint8Array>; upper: Map<number, Uint8Array> } {
  const lower = new Map<number, Uint8Array>();
  const upper = new Map<number, Uint8Array>();
  for (const field of schema.fields) {
    if (typeof field.type !== 'string') continue;
    const lo = pick(
      inputs.map((f) => f.lowerBounds?.get(field.id)),
      field.type,
      -1,
    );
    const hi = pick(
      inputs.map((f) => f.upperBounds?.get(field.id)),
      field.type,
      1,
    );
    if (lo !== undefined && hi !== undefined) {
      lower.set(field.id, lo);
      upper.set(field.id, hi);
    }
  }
  return { lower, upper };
}

/** The bound that sorts first (sign -1) or last (sign 1), or undefined when one is missing or any pair is incomparable. */
function pick(bounds: (Uint8Array | undefined)[], type: string, sign: -1 | 1): Uint8Array | undefined {
  let best: { raw: Uint8Array; value: NonNullable<ReturnType<typeof fromBinary>> } | undefined;
  for (const raw of bounds) {
    const value = fromBinary(type, raw);
    if (raw === undefined || value === undefined) return undefined;
    if (best === undefined) {
      best = { raw, value };
      continue;
    }
    const c = compare(value, best.value);
    if (Number.isNaN(c)) return undefined;
    if (c * sign > 0) best = { raw, value };
  }
  return best?.raw;
}

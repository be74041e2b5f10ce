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
import { runSteps, runStepsPaced } from '../../loop-pacer.js';

export function mergedBounds(inputs: readonly ContentFile[], schema: Schema): Bounds {
  return runSteps(merging(inputs, schema));
}

/**
 * mergedBounds, awaiting `pace` (a loop pacer, catalog/loop-pacer.ts) every MERGE_STEP inputs: a group of 10^4 small
 * files decodes 10^4 bounds a column. The same bounds.
 */
export async function mergedBoundsPaced(inputs: readonly ContentFile[], schema: Schema, pace: () => Promise<void> | undefined): Promise<Bounds> {
  return runStepsPaced(merging(inputs, schema), pace);
}

export interface Bounds {
  lower: Map<number, Uint8Array>;
  upper: Map<number, Uint8Array>;
}

/** Inputs merged between two steps of merging. */
const MERGE_STEP = 256;

type Decoded = NonNullable<ReturnType<typeof fromBinary>>;

function* merging(inputs: readonly ContentFile[], schema: Schema): Generator<void, Bounds> {
  // Per top-level primitive column: the least lower and greatest upper bound so far; `ok` false once one is missing
  // or a pair incomparable.
  const columns = schema.fields
    .filter((field) => typeof field.type === 'string')
    .map((field) => ({ id: field.id, type: field.type as string, ok: true, lo: undefined as Picked | undefined, hi: undefined as Picked | undefined }));
  for (let i = 0; i < inputs.length; i++) {
    const f = inputs[i]!;
    for (const c of columns) {
      if (!c.ok) continue;
      const lo = pick(c.lo, f.lowerBounds?.get(c.id), c.type, -1);
      const hi = pick(c.hi, f.upperBounds?.get(c.id), c.type, 1);
      if (lo === undefined || hi === undefined) c.ok = false;
      else {
        c.lo = lo;
        c.hi = hi;
      }
    }
    if (i % MERGE_STEP === MERGE_STEP - 1) yield;
  }
  const lower = new Map<number, Uint8Array>();
  const upper = new Map<number, Uint8Array>();
  for (const c of columns) {
    if (!c.ok || c.lo === undefined || c.hi === undefined) continue;
    lower.set(c.id, c.lo.raw);
    upper.set(c.id, c.hi.raw);
  }
  return { lower, upper };
}

interface Picked {
  raw: Uint8Array;
  value: Decoded;
}

/** The bound that sorts first (sign -1) or last (sign 1) of `best` and `raw`, or undefined when raw is missing or the pair incomparable. */
function pick(best: Picked | undefined, raw: Uint8Array | undefined, type: string, sign: -1 | 1): Picked | undefined {
  const value = fromBinary(type, raw);
  if (raw === undefined || value === undefined) return undefined;
  if (best === undefined) return { raw, value };
  const c = compare(value, best.value);
  if (Number.isNaN(c)) return undefined;
  return c * sign > 0 ? { raw, value } : best;
}

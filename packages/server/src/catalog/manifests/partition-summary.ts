/**
 * The partition field summaries of a manifest-list entry (spec: "Manifest Lists", field_summary): per partition field,
 * whether any entry's value is null, and the least and greatest value in Iceberg's single-value binary form. Planners
 * skip a whole manifest by them. Computed for the manifests the catalog writes, the bytes by the catalog's one encoder
 * (single-value.ts); a field of a type not summarized here (decimal, uuid, fixed, binary) gets no bounds, which
 * readers take as "may hold anything".
 */
import type { FieldSummary } from '../ports/manifests.js';
import { singleValue } from '../single-value.js';

/**
 * The order of the partition values this file serializes (numbers, longs, strings by their UTF-8 bytes, booleans);
 * NaN when two are not comparable. Not planning/values.ts's compare: planning reads manifests, so manifests may not
 * import planning (the import graph test keeps the folders free of loops).
 */
const SURROGATE = /[\ud800-\udfff]/;

function compare(a: unknown, b: unknown): number {
  if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'bigint' && typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') {
    // Without surrogates, UTF-16 code units order strings as their UTF-8 bytes do, with no encoding (a manifest of
    // 10^5 entries compares 2·10^5 times); with them (a lone one encodes as U+FFFD), by the bytes themselves.
    if (a === b) return 0;
    if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : 1;
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return Number.NaN;
}

/** The Avro types summarized, each named as the Iceberg type it stores (a date is an int with logical type date). */
const SUMMARIZED = new Set(['int', 'long', 'boolean', 'float', 'double', 'string']);

/** Iceberg's single-value serialization of a partition value of the Avro type the manifest stores it as. */
function toBinary(avroType: unknown, v: unknown): Uint8Array | undefined {
  const type = typeof avroType === 'object' && avroType !== null ? (avroType as { type: string; logicalType?: string }) : { type: avroType as string };
  if (type.logicalType !== undefined && type.logicalType !== 'date') return undefined;
  return SUMMARIZED.has(type.type) ? singleValue(type.type, v) : undefined;
}

/** The summaries of the partition tuples `partitions` (every entry's, in spec order), given each field's Avro type. */
export function partitionSummaries(fieldTypes: readonly unknown[], partitions: readonly (readonly unknown[])[]): FieldSummary[] {
  const summarizer = partitionSummarizer(fieldTypes);
  for (const p of partitions) summarizer.add(p);
  return summarizer.summaries();
}

/**
 * partitionSummaries a tuple at a time: `add` each entry's partition, then `summaries()`. The same summaries; a caller
 * framing a manifest of 10^5 entries between turns of the event loop adds them a slice at a time.
 */
export function partitionSummarizer(fieldTypes: readonly unknown[]): { add(partition: readonly unknown[]): void; summaries(): FieldSummary[] } {
  const fields = fieldTypes.map((avroType) => ({
    avroType,
    long: avroType === 'long' || (avroType as { type?: string } | null)?.type === 'long',
    containsNull: false,
    containsNan: false,
    lo: undefined as unknown,
    hi: undefined as unknown,
    comparable: true,
  }));
  return {
    add(p) {
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        const v = p[i];
        if (v === null || v === undefined) {
          f.containsNull = true;
          continue;
        }
        if (typeof v === 'number' && Number.isNaN(v)) {
          f.containsNan = true;
          continue;
        }
        const value = typeof v === 'number' && f.long ? BigInt(v) : v;
        if (f.lo === undefined) {
          f.lo = f.hi = value;
          continue;
        }
        const below = compare(value, f.lo);
        const above = compare(value, f.hi);
        if (Number.isNaN(below) || Number.isNaN(above)) f.comparable = false;
        if (below < 0) f.lo = value;
        if (above > 0) f.hi = value;
      }
    },
    summaries: () =>
      fields.map(({ avroType, containsNull, containsNan, lo, hi, comparable }) => {
        const lowerBound = comparable && lo !== undefined ? (toBinary(avroType, lo) ?? null) : null;
        const upperBound = comparable && hi !== undefined ? (toBinary(avroType, hi) ?? null) : null;
        return { containsNull, containsNan, lowerBound: upperBound === null ? null : lowerBound, upperBound: lowerBound === null ? null : upperBound };
      }),
  };
}

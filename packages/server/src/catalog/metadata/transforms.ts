/**
 * Partition and sort transforms: parsing, canonical spelling, and which
 * source types each transform accepts (as Iceberg Java decides it).
 */
import { illegalArgument, validation } from '../../errors/catalog-error.js';
import { typeId } from './schema.js';
import type { IcebergType } from './types.js';

export type TransformKind = 'identity' | 'bucket' | 'truncate' | 'year' | 'month' | 'day' | 'hour' | 'void' | 'unknown';

export interface Transform {
  kind: TransformKind;
  /** Canonical spelling, e.g. "bucket[16]"; unknown transforms keep their spelling. */
  name: string;
}

const SIMPLE: Record<string, TransformKind> = {
  identity: 'identity',
  year: 'year',
  month: 'month',
  day: 'day',
  hour: 'hour',
  void: 'void',
};

export function parseTransform(raw: string, path: string): Transform {
  const lower = raw.toLowerCase();
  const simple = SIMPLE[lower];
  if (simple !== undefined && Object.prototype.hasOwnProperty.call(SIMPLE, lower)) return { kind: simple, name: lower };
  const m = /^(\w+)\[(\d+)\]$/.exec(raw);
  if (m) {
    const fn = (m[1] as string).toLowerCase();
    if (fn === 'bucket' || fn === 'truncate') {
      const width = Number(m[2]);
      if (!Number.isSafeInteger(width) || width <= 0 || width > 2147483647) {
        throw illegalArgument(`Invalid ${fn} width in ${path}: must be a positive 32-bit integer: ${raw}`);
      }
      return { kind: fn, name: `${fn}[${width}]` };
    }
  }
  if (raw.length === 0) throw validation(`Invalid ${path}: empty transform`);
  // Iceberg keeps transforms it does not know, so that newer metadata stays readable.
  return { kind: 'unknown', name: raw };
}

const BUCKET_TYPES = new Set([
  'int',
  'long',
  'date',
  'time',
  'timestamp',
  'timestamptz',
  'timestamp_ns',
  'timestamptz_ns',
  'string',
  'binary',
  'fixed',
  'decimal',
  'uuid',
]);
const TRUNCATE_TYPES = new Set(['int', 'long', 'string', 'binary', 'decimal']);
const DATE_TYPES = new Set(['date', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']);
const HOUR_TYPES = new Set(['timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']);
const IDENTITY_UNSUPPORTED = new Set(['variant', 'geometry', 'geography', 'struct', 'list', 'map']);

export function canTransform(t: Transform, source: IcebergType): boolean {
  const id = typeId(source);
  switch (t.kind) {
    case 'identity':
      return !IDENTITY_UNSUPPORTED.has(id);
    case 'bucket':
      return BUCKET_TYPES.has(id);
    case 'truncate':
      return TRUNCATE_TYPES.has(id);
    case 'year':
    case 'month':
    case 'day':
      return DATE_TYPES.has(id);
    case 'hour':
      return HOUR_TYPES.has(id);
    case 'void':
    case 'unknown':
      return true;
  }
}

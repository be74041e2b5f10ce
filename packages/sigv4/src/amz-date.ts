/** X-Amz-Date: ISO 8601 basic format, UTC, whole seconds ("20150830T123600Z"). */
import { malformed } from './errors.js';

export function parseAmzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return malformed('X-Amz-Date must look like 20150830T123600Z');
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // SignatureV4 re-formats the date it is given, so only a round-tripping value can verify.
  if (formatAmzDate(date) !== value) malformed('X-Amz-Date is not a valid date');
  return date;
}

export function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/**
 * The read-restriction actions of the Iceberg REST proposal (apache/iceberg#13879) on single values, as a
 * policy-enforced file writes them (not wired into planning yet: issue 53). Values come as apache-arrow hands them
 * out: strings, numbers, bigints, booleans, and dates and timestamps as epoch milliseconds. A mask keeps the column's
 * type (catalog/policies/rules.ts admits an action only on columns it suits), and null stays null.
 */
import { createHash, createHmac } from 'node:crypto';
import type { MaskAction } from '../catalog/ports/policies.js';

export interface MaskContext {
  /** sha-256-query-local: a secret of this one query, so its hashes join within it and nowhere else. */
  querySalt: Uint8Array;
}

const DAY_MS = 86_400_000;

export function maskValue(action: MaskAction, value: unknown, ctx: MaskContext, fixed?: unknown): unknown {
  if (value === null || value === undefined) return action === 'mask-to-fixed-value' ? fixed : null;
  switch (action) {
    case 'replace-with-null':
      return null;
    case 'mask-to-fixed-value':
      return fixed;
    case 'sha-256-global':
      return createHash('sha256').update(String(value)).digest('hex');
    case 'sha-256-query-local':
      return createHmac('sha256', ctx.querySalt).update(String(value)).digest('hex');
    case 'mask-alphanum':
      // Hive's mask(): upper-case letters → X, lower-case → x, digits → n; everything else kept (shape stays visible).
      return maskAlphanum(String(value));
    case 'show-first-4': {
      const s = [...String(value)];
      return s.slice(0, 4).join('') + 'x'.repeat(Math.max(0, s.length - 4));
    }
    case 'show-last-4': {
      const s = [...String(value)];
      return 'x'.repeat(Math.max(0, s.length - 4)) + s.slice(-4).join('');
    }
    case 'truncate-to-year':
    case 'truncate-to-month': {
      const ms = typeof value === 'bigint' ? Number(value) : (value as number);
      if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new TypeError(`${action} needs a date or timestamp in epoch milliseconds`);
      const d = new Date(ms);
      // setUTCFullYear, not Date.UTC: that one reads the years 0 to 99 as 1900 to 1999 (0050-06-15 became 1950-01-01).
      const truncated = new Date(0).setUTCFullYear(d.getUTCFullYear(), action === 'truncate-to-year' ? 0 : d.getUTCMonth(), 1);
      return Math.floor(truncated / DAY_MS) * DAY_MS;
    }
  }
}

/** One pass over the UTF-16 code units: A-Z → X, a-z → x, 0-9 → n (three regular expressions cost three passes). */
function maskAlphanum(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const to = c >= 65 && c <= 90 ? 'X' : c >= 97 && c <= 122 ? 'x' : c >= 48 && c <= 57 ? 'n' : undefined;
    if (to === undefined) continue;
    out += s.slice(from, i) + to;
    from = i + 1;
  }
  return out + s.slice(from);
}

/** Received headers, case-folded, with repeats kept in order (SigV4 joins repeats with ","). */
import { malformed } from './errors.js';
import type { SigV4Request } from './types.js';

export type HeaderMap = ReadonlyMap<string, readonly string[]>;

export function collectHeaders(headers: SigV4Request['headers']): HeaderMap {
  const map = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const values = map.get(key) ?? [];
    if (typeof value === 'string') values.push(value);
    else values.push(...value);
    map.set(key, values);
  }
  return map;
}

/** The one value of a header, undefined when absent; a repeated header is malformed. */
export function singleHeader(headers: HeaderMap, name: string): string | undefined {
  const values = headers.get(name);
  if (!values || values.length === 0) return undefined;
  if (values.length > 1) malformed(`header ${name} must appear once`);
  return values[0];
}

/** SigV4 Trimall: outer whitespace removed, inner runs of spaces and tabs (and folded lines) as one space. */
const trimAll = (value: string) =>
  value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');

/**
 * The value SignatureV4 should see for a signed header. SignatureV4 trims one
 * value per name, so repeats are trimmed one by one here and joined with ","
 * (get-header-key-duplicate, get-header-value-order).
 */
export function headerValueForSigning(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : values.map(trimAll).join(',');
}

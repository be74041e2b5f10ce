/**
 * How the management client writes its paths and query values: one place for the facade (client.ts) and its
 * sub-facades (policies.ts, labels.ts), so a table's or view's path is spelled the same in each.
 */
import type { TableIdentifier } from '../iceberg/types.js';

/** Namespace levels in one path segment are joined by the unit separator (0x1F), as in the Iceberg REST API. */
export const LEVEL_SEPARATOR = '\u001f';

export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** `warehouses/{w}/namespaces/{ns}/tables/{name}` (or `views/{name}`), each segment encoded. */
export function objectPath(warehouse: string, object: TableIdentifier, collection: 'tables' | 'views' = 'tables'): string {
  return `warehouses/${segment(warehouse)}/namespaces/${segment(object.namespace.join(LEVEL_SEPARATOR))}/${collection}/${segment(object.name)}`;
}

/** A time filter as the server reads it: epoch milliseconds (from a Date or a number) or ISO 8601 text. */
export function timeParam(value: Date | number | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) return String(value.getTime());
  return String(value);
}

/**
 * What LanceNamespace (namespace.ts) lends the call modules (namespaces.ts, tables.ts, versions.ts, changes.ts): its
 * delimiter, the path of an id, and its transport in Lance's error model.
 */
import { isNotFound } from '../errors.js';
import type { TransportRequest, TransportResponse } from '../transport/http-transport.js';

export interface LanceCalls {
  readonly delimiter: string;
  /** `v1/{kind}/{id}/{op}` with the id joined by the delimiter; the root namespace is the delimiter itself. */
  path(kind: 'namespace' | 'table' | 'materialized_view', id: string[], op: string): string;
  /** Sends in Lance's error model; the query defaults to `{ delimiter }`. */
  send<T>(request: Omit<TransportRequest, 'errorModel'>): Promise<TransportResponse<T>>;
}

/** A page request in Lance's query parameters. */
export function pageQuery(calls: LanceCalls, page: { limit?: number; pageToken?: string }): Record<string, string | number | undefined> {
  return { delimiter: calls.delimiter, limit: page.limit, page_token: page.pageToken };
}

export function falseIfNotFound(e: unknown): false {
  if (isNotFound(e)) return false;
  throw e;
}

/**
 * Catalog-supplied labels of tables and views (`management.labels`; apache/iceberg#15750): string key-values the
 * catalog answers on loadTable and loadView (`labels`), about the object (`object-labels`) and its columns by field
 * id (`fields`). Reading needs what loading the object needs; setting and removing need the admin role of the
 * tenant. Errors are {@link CatalogError}s: `isBadRequest` (a non-string value, too many or too long labels),
 * `isForbidden`, `isNotFound`.
 */
import type * as protocol from '@lakegate/protocol';
import type { TableIdentifier } from '../iceberg/types.js';
import type { TransportRequest } from '../transport/http-transport.js';
import { objectPath } from './paths.js';

/**
 * The spec's Labels object.
 *
 * @example
 * ```ts
 * await management.labels.set('lake', 'table', { namespace: ['sales'], name: 'orders' }, { 'object-labels': { owner: 'team-sales' }, fields: [{ 'field-id': 3, labels: { pii: 'email' } }] });
 * ```
 */
export type Labels = protocol.Labels;
/** What carries labels. */
export type LabelledKind = 'table' | 'view';

type Call = <T>(method: TransportRequest['method'], path: string, request?: { body?: unknown; signal?: AbortSignal | undefined }) => Promise<T>;

const labelsPath = (warehouse: string, kind: LabelledKind, object: TableIdentifier) =>
  `${objectPath(warehouse, object, kind === 'table' ? 'tables' : 'views')}/labels`;

export class ObjectLabels {
  /** @internal */
  constructor(private readonly call: Call) {}

  /** The object's labels (`{}` when it has none). */
  async get(warehouse: string, kind: LabelledKind, object: TableIdentifier, options: { signal?: AbortSignal } = {}): Promise<Labels> {
    return this.call('GET', labelsPath(warehouse, kind, object), options);
  }

  /** Replaces the object's labels with these (an empty object removes them); answers them as stored. */
  async set(warehouse: string, kind: LabelledKind, object: TableIdentifier, labels: Labels, options: { signal?: AbortSignal } = {}): Promise<Labels> {
    return this.call('PUT', labelsPath(warehouse, kind, object), { ...options, body: labels });
  }

  /** Removes the object's labels. */
  async remove(warehouse: string, kind: LabelledKind, object: TableIdentifier, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('DELETE', labelsPath(warehouse, kind, object), options);
  }
}

/**
 * The part of the SDK that runs in a browser as well as in Node: both protocol clients, the management client, the
 * transport, errors and the simple auth providers, without the providers that need Node (SigV4 hashing, Google
 * credentials, the AWS credential chain). The web console (packages/console) is built from this entry.
 *
 * @example
 * ```ts
 * import { IcebergRestCatalog, LakegateManagement } from '@lakegate/client/browser';
 * const fetchInBrowser: typeof fetch = (input, init) => globalThis.fetch(input, init);
 * const catalog = new IcebergRestCatalog({ uri: location.origin, auth: noAuth, fetch: fetchInBrowser });
 * ```
 */
import './auth/simple.js';

export {
  CatalogError,
  ConfigurationError,
  UnsupportedOperationError,
  isNotFound,
  isConflict,
  isUnauthenticated,
  isForbidden,
  EventCursorExpiredError,
  isCursorExpired,
} from './errors.js';
export type { ErrorProtocol } from './errors.js';
export { registerAuthProvider, createAuthProvider } from './auth/provider.js';
export type { AuthProvider, OutgoingRequest } from './auth/provider.js';
export { noAuth, bearerAuth, apiKeyAuth } from './auth/simple.js';
export { HttpTransport } from './transport/http-transport.js';
export type { TransportOptions, TransportRequest, TransportResponse } from './transport/http-transport.js';
export type { ClientOptions } from './options.js';
export { IcebergRestCatalog, paginate } from './iceberg/catalog.js';
export type { IcebergRestCatalogOptions, LoadTableOptions, LoadedTable } from './iceberg/catalog.js';
export type * from './iceberg/types.js';
export { LanceNamespace } from './lance/namespace.js';
export type { LanceNamespaceOptions, DescribeTableResponse } from './lance/namespace.js';
export { LakegateManagement } from './management/client.js';
export type { LakegateManagementOptions, AuditPageOptions } from './management/client.js';
export type { Labels } from './management/labels.js';
export type {
  CreatePolicyRequest,
  EffectivePolicy,
  PolicyCallOptions,
  PolicyEnforcer,
  PolicyObjectKind,
  TablePolicy,
  UpdatePolicyRequest,
} from './management/policies.js';
export { parseCompactionOrder, parseSortOrder, SortOrderTextError, type CompactionOrderSpec } from './management/sort-order.js';
export type { SortFieldSpec } from './management/sort-order.js';
export { PRIVILEGES } from './management/access-types.js';
export type * from './management/access-types.js';
export type * from './management/types.js';
export type * from './management/event-types.js';

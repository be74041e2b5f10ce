/**
 * Lakegate client SDK: Iceberg REST catalogs and Lance REST namespaces on one transport, with a registry of auth
 * providers and refreshing providers for vended storage credentials. Works with any compliant catalog.
 *
 * @example
 * ```ts
 * import { IcebergRestCatalog } from '@lakegate/client';
 * const catalog = new IcebergRestCatalog({ uri: 'http://127.0.0.1:8181', properties: { credential: 'id:secret' } });
 * console.log(await catalog.listNamespaces());
 * ```
 */
import './auth/simple.js';

export {
  CatalogError,
  ConfigurationError,
  UnsupportedOperationError,
  LanceErrorCode,
  isNotFound,
  isConflict,
  isCommitStateUnknown,
  isUnauthenticated,
  isForbidden,
} from './errors.js';
export type { ErrorProtocol } from './errors.js';
export {
  registerAuthProvider,
  registeredAuthProviders,
  createAuthProvider,
  resolveAuthType,
} from './auth/provider.js';
export type { AuthProvider, AuthProviderContext, AuthProviderFactory, OutgoingRequest, CreateAuthProviderOptions } from './auth/provider.js';
export { noAuth, bearerAuth, apiKeyAuth } from './auth/simple.js';
export type { BearerTokenSource } from './auth/simple.js';
export { HttpTransport } from './transport/http-transport.js';
export type { TransportOptions, TransportRequest, TransportResponse } from './transport/http-transport.js';
export type { ClientOptions } from './options.js';
export { IcebergRestCatalog, StagedTable, paginate } from './iceberg/catalog.js';
export type { IcebergRestCatalogOptions, LoadTableOptions, LoadedTable } from './iceberg/catalog.js';
export type * from './iceberg/types.js';

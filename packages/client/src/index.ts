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
// Importing the SDK registers the built-in auth providers (their `rest.auth.type` names). Said explicitly here rather
// than left to the re-exports below, which load the same modules.
import './auth/simple.js';
import './auth/oauth2.js';
import './auth/token-exchange.js';
import './auth/sigv4.js';
import './auth/gcp.js';

// Errors
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
  EventCursorExpiredError,
  isCursorExpired,
} from './errors.js';
export type { ErrorProtocol } from './errors.js';

// Auth: the provider registry, then the built-in providers
export { registerAuthProvider, registeredAuthProviders, createAuthProvider, resolveAuthType } from './auth/provider.js';
export type { AuthProvider, AuthProviderContext, AuthProviderFactory, OutgoingRequest, CreateAuthProviderOptions } from './auth/provider.js';
export { noAuth, bearerAuth, apiKeyAuth, basicAuth } from './auth/simple.js';
export type { BearerTokenSource } from './auth/simple.js';
export { OAuth2Auth, oauth2Auth, oauth2AuthFromProperties } from './auth/oauth2.js';
export type { OAuth2AuthOptions } from './auth/oauth2.js';
export { TokenExchangeAuth, tokenExchangeAuth, tokenExchangeAuthFromProperties } from './auth/token-exchange.js';
export type { TokenExchangeAuthOptions, SubjectTokenSource, SessionOptions, ActorMode } from './auth/token-exchange.js';
export { TOKEN_TYPE } from './auth/token-endpoint.js';
export { SigV4Auth, sigv4Auth, sigv4AuthFromProperties } from './auth/sigv4.js';
export type { SigV4AuthOptions, AwsCredentials, AwsCredentialsProvider } from './auth/sigv4.js';
export { GcpAuth, gcpAuth, gcpAuthFromProperties, GCP_DEFAULT_SCOPE } from './auth/gcp.js';
export type { GcpAuthOptions } from './auth/gcp.js';

// Transport and the options both protocol clients share
export { HttpTransport } from './transport/http-transport.js';
export type { TransportOptions, TransportRequest, TransportResponse } from './transport/http-transport.js';
export type { ClientOptions } from './options.js';

// Iceberg REST catalog
export { IcebergRestCatalog, StagedTable, paginate } from './iceberg/catalog.js';
export type { IcebergRestCatalogOptions, LoadTableOptions, LoadedTable } from './iceberg/catalog.js';
export type * from './iceberg/types.js';

// Lance REST namespace
export { LanceNamespace } from './lance/namespace.js';
export type {
  LanceNamespaceOptions,
  CreateNamespaceMode,
  RegisterTableMode,
  DescribeTableResponse,
  DeclareTableResponse,
  TableLocationResponse,
} from './lance/namespace.js';

// Lakegate's management API (principals, warehouses, roles, grants, explain, audit)
export { LakegateManagement } from './management/client.js';
export type { LakegateManagementOptions, AuditPageOptions } from './management/client.js';
export { PRIVILEGES } from './management/access-types.js';
export type * from './management/access-types.js';
export type * from './management/types.js';
export type * from './management/event-types.js';
export { TablePolicies } from './management/policies.js';
export type {
  CreatePolicyRequest,
  UpdatePolicyRequest,
  TablePolicy,
  EffectivePolicy,
  PolicyCallOptions,
  PolicyEnforcer,
  PolicyObjectKind,
  SetPolicyEnforcerRequest,
} from './management/policies.js';
export { ObjectLabels } from './management/labels.js';
export type { Labels, LabelledKind } from './management/labels.js';
export { parseCompactionOrder, parseSortOrder, SortOrderTextError, type CompactionOrderSpec } from './management/sort-order.js';
export type { SortFieldSpec } from './management/sort-order.js';
export { ManagedFunctions } from './management/functions.js';
export type { PutFunctionRequest } from './management/functions.js';
export type { FunctionMetadata, LoadFunctionResult } from './iceberg/functions.js';

// Vended storage credentials: the refreshing core, then one adapter per store
export { RefreshingValue, DEFAULT_REFRESH_BEFORE_MS, DEFAULT_RETRY_AFTER_FAILURE_MS } from './credentials/refreshing.js';
export type { RefreshTiming, RefreshingValueOptions } from './credentials/refreshing.js';
export { VendedCredentials, selectCredential, prefixCovers, vendedExpiry } from './credentials/vended.js';
export type { CredentialLoader, CurrentCredential, VendedCredentialsOptions, VendedStorageCredential } from './credentials/vended.js';
export { vendedAwsCredentials, s3ClientConfig, isS3Credential } from './credentials/aws.js';
export type { VendedAwsCredentialIdentity, VendedAwsCredentialProvider, S3ClientSettings } from './credentials/aws.js';
export { vendedAzureSas, azureLocationHost, isAzureSasCredential } from './credentials/azure.js';
export type { AzureSasCredential, VendedAzureSasProvider } from './credentials/azure.js';
export { vendedGcsToken, isGcsTokenCredential } from './credentials/gcs.js';
export type { GcsAccessToken, VendedGcsTokenProvider } from './credentials/gcs.js';
export { lanceStorageOptionsProvider } from './credentials/lance.js';
export type { LanceStorageOptionsProvider, LanceStorageOptionsProviderOptions, LanceTableDescriber } from './credentials/lance.js';

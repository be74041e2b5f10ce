/** Lakegate's management API: warehouses (a storage root and profile per catalog prefix) and stored metrics reports. */
import { type Static, Type } from '@sinclair/typebox';
import { ErrorModel } from '../iceberg/common.js';
import { StringMap } from '../schema/helpers.js';

/**
 * A federated warehouse's remote catalog (docs/federation.md): its namespaces and tables live there, Lakegate's security
 * stands in front. Three kinds: another Iceberg REST catalog, an AWS Glue Data Catalog, a Hive Metastore.
 */
export const FederationSettings = Type.Object(
  {
    kind: Type.Union([Type.Literal('iceberg-rest'), Type.Literal('glue'), Type.Literal('hive')], {
      description: "The remote catalog's kind: another Iceberg REST catalog, an AWS Glue Data Catalog, or a Hive Metastore (Thrift)",
    }),
    uri: Type.Optional(
      Type.String({
        description:
          "iceberg-rest (required): the remote catalog's base URI (http or https), before /v1. glue: an endpoint override (default https://glue.<region>.amazonaws.com). hive (required): the metastore's thrift://host:port",
        examples: ['https://catalog.example.com/api/catalog'],
      }),
    ),
    region: Type.Optional(Type.String({ description: 'glue (required): the AWS region', examples: ['eu-west-1'] })),
    'catalog-id': Type.Optional(Type.String({ description: "glue: the Data Catalog's id, the AWS account id (default: the access key's account)" })),
    'access-key-id': Type.Optional(
      Type.String({ description: 'glue: the access key id towards Glue (its secret goes in federation-secret.secret-access-key)' }),
    ),
    warehouse: Type.Optional(Type.String({ description: 'The remote warehouse, sent to its GET /v1/config (which answers the prefix)' })),
    'oauth2-server-uri': Type.Optional(Type.String({ description: "The remote's token endpoint for client credentials (default: <uri>/v1/oauth/tokens)" })),
    'client-id': Type.Optional(Type.String({ description: 'OAuth2 client id towards the remote (its secret goes in federation-secret)' })),
    scope: Type.Optional(Type.String({ description: 'OAuth2 scope asked of the remote (default: catalog)' })),
    'timeout-ms': Type.Optional(
      Type.Integer({ minimum: 100, maximum: 120_000, description: 'Bound on every call to the remote (default 10000): past it, 503 with Retry-After' }),
    ),
    'max-staleness-ms': Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 3_600_000,
        description:
          'How long a table loaded from the remote may be served again without asking it (default 0: every load asks); commits always go to the remote',
      }),
    ),
    'lock-enabled': Type.Optional(
      Type.Boolean({
        description:
          "hive: take the metastore's exclusive table lock around each commit, as Iceberg's HiveCatalog does (default true; false only for a metastore without its transaction tables, whose other writers must then not use HMS locks either)",
      }),
    ),
    'lock-timeout-ms': Type.Optional(
      Type.Integer({
        minimum: 100,
        maximum: 120_000,
        description: 'hive: how long a commit waits for the table lock (default 10000); past it, 409 CommitFailedException and nothing committed',
      }),
    ),
    tls: Type.Optional(
      Type.Boolean({
        description:
          "hive: Thrift inside TLS, for a metastore with hive.metastore.use.SSL=true (default false). The metastore's certificate is always verified (no switch turns that off)",
      }),
    ),
    'tls-ca': Type.Optional(
      Type.String({
        maxLength: 200_000,
        description:
          "hive, with tls: the CA certificates (PEM; CA or self-signed certificates, no key) trusted for the metastore instead of Node's default roots. Public: kept as a setting and shown, not a secret",
      }),
    ),
    'tls-server-name': Type.Optional(
      Type.String({
        maxLength: 253,
        description: "hive, with tls: the DNS name the metastore's certificate must carry, when it is not the uri's host (also sent as SNI)",
      }),
    ),
    'tls-client-cert': Type.Optional(
      Type.String({
        maxLength: 200_000,
        description:
          "hive, with tls: Lakegate's client certificate for mutual TLS (PEM: the certificate, then any intermediates), for a metastore behind a TLS front that requires one. Public: kept as a setting and shown. Its private key goes in federation-secret.tls-client-key",
      }),
    ),
    auth: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('password'), Type.Literal('kerberos')], {
        description:
          "hive: how Lakegate logs in to the metastore: none (default: HMS's plain Thrift, optionally in TLS), password (SASL PLAIN, for a metastore with hive.metastore.authentication CONFIG, LDAP or CUSTOM: federation.username, and the password in federation-secret.password) or kerberos (SASL GSSAPI, for hive.metastore.sasl.enabled: the server process's Kerberos credentials towards federation.kerberos-principal; needs the optional npm package kerberos)",
      }),
    ),
    'kerberos-principal': Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 500,
        description:
          "hive, with auth kerberos: the metastore's service principal, service/host[@REALM] as hive.metastore.kerberos.principal (default hive/_HOST; _HOST is the uri's host). The realm is the one krb5.conf maps the host to",
        examples: ['hive/_HOST@EXAMPLE.COM'],
      }),
    ),
    username: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: 'hive, with auth password: the user name Lakegate logs in with (shown; its password goes in federation-secret.password)',
      }),
    ),
  },
  { $id: 'FederationSettings', additionalProperties: false },
);
export type FederationSettings = Static<typeof FederationSettings>;

/** What the API shows of a federated warehouse's remote: the settings, and whether a secret is set (never the secret). */
export const FederationView = Type.Object({ ...FederationSettings.properties, 'has-secret': Type.Boolean() }, { $id: 'FederationView' });
export type FederationView = Static<typeof FederationView>;

/** The remote catalog's credential (write-only): the fields a kind needs, stored encrypted and never returned. */
export const FederationSecret = Type.Object(
  {
    'client-secret': Type.Optional(Type.String()),
    token: Type.Optional(Type.String({ description: 'A bearer token, instead of client credentials' })),
    'secret-access-key': Type.Optional(Type.String({ description: 'glue: the AWS secret access key of access-key-id' })),
    'session-token': Type.Optional(Type.String({ description: 'glue: the session token of temporary AWS keys' })),
    'tls-client-key': Type.Optional(
      Type.String({ description: 'hive: the private key (PEM, unencrypted) of federation.tls-client-cert, for mutual TLS; sealed, never returned' }),
    ),
    password: Type.Optional(
      Type.String({ minLength: 1, description: 'hive, with federation.auth password: the password of federation.username; sealed, never returned' }),
    ),
  },
  { $id: 'FederationSecret', additionalProperties: false, writeOnly: true, description: "The remote catalog's credential: stored encrypted, never returned" },
);
export type FederationSecret = Static<typeof FederationSecret>;

export const CreateWarehouseRequest = Type.Object(
  {
    name: Type.String({ description: 'The Iceberg prefix and Lance root: letters, digits, -, _ and .' }),
    tenant: Type.Optional(Type.String({ description: "Default: the caller's tenant" })),
    'storage-root': Type.String({ examples: ['s3://bucket/warehouse', 'file:///var/lib/lakegate/warehouse'] }),
    'storage-profile': Type.Record(Type.String(), Type.Unknown(), { description: 'Storage settings by type (s3, azure, gcs, file); see docs/storage.md' }),
    'storage-secret': Type.Optional(Type.Record(Type.String(), Type.Unknown(), { writeOnly: true, description: 'Stored encrypted, never returned' })),
    properties: Type.Optional(StringMap()),
    federation: Type.Optional(Type.Ref(FederationSettings)),
    'federation-secret': Type.Optional(Type.Ref(FederationSecret)),
  },
  { $id: 'CreateWarehouseRequest', additionalProperties: false },
);
export type CreateWarehouseRequest = Static<typeof CreateWarehouseRequest>;

export const Warehouse = Type.Object(
  {
    name: Type.String(),
    tenant: Type.String(),
    'storage-root': Type.String(),
    'storage-profile': Type.Record(Type.String(), Type.Unknown()),
    'has-storage-secret': Type.Boolean(),
    properties: StringMap(),
    federation: Type.Optional(Type.Ref(FederationView)),
  },
  { $id: 'Warehouse' },
);
export type Warehouse = Static<typeof Warehouse>;

export const ListWarehousesResponse = Type.Object({ warehouses: Type.Array(Type.Ref(Warehouse)) }, { $id: 'ListWarehousesResponse' });
export type ListWarehousesResponse = Static<typeof ListWarehousesResponse>;

export const MetricsReportRecord = Type.Object(
  {
    id: Type.String(),
    'report-type': Type.String(),
    'created-at-ms': Type.Integer(),
    report: Type.Unknown({ description: 'The report as the engine sent it' }),
  },
  { $id: 'MetricsReportRecord' },
);
export type MetricsReportRecord = Static<typeof MetricsReportRecord>;

export const ListMetricsReportsResponse = Type.Object({ reports: Type.Array(Type.Ref(MetricsReportRecord)) }, { $id: 'ListMetricsReportsResponse' });
export type ListMetricsReportsResponse = Static<typeof ListMetricsReportsResponse>;

/**
 * What storage the platform granted a tenant: a tenant administrator's warehouse roots must lie inside one of these
 * (buckets, containers or prefixes, e.g. s3://acme-bucket or s3://shared/acme). Set by a platform administrator only.
 */
export const TenantStorageGrant = Type.Object(
  {
    tenant: Type.Optional(Type.String({ readOnly: true })),
    roots: Type.Array(Type.String(), {
      maxItems: 100,
      description: 'Cloud storage prefixes (s3://, gs://, abfss://); never file:',
      examples: [['s3://acme-bucket', 's3://shared/acme']],
    }),
  },
  { $id: 'TenantStorageGrant', additionalProperties: false },
);
export type TenantStorageGrant = Static<typeof TenantStorageGrant>;

/**
 * A change of a warehouse's settings (POST /warehouses/{warehouse}/properties): properties set and removed, checked
 * as at creation (drop.retention-ms, maintenance.interval-ms, history.expire.*, compaction.*; storage-authority rules for a tenant
 * administrator). A key may not be both set and removed.
 */
export const UpdateWarehouseRequest = Type.Object(
  {
    updates: Type.Optional(
      StringMap({ description: 'Properties to set, e.g. {"drop.retention-ms": "604800000", "history.expire.min-snapshots-to-keep": "3"}' }),
    ),
    removals: Type.Optional(Type.Array(Type.String(), { maxItems: 1000, description: 'Properties to remove (back to the server default)' })),
  },
  { $id: 'UpdateWarehouseRequest', additionalProperties: false },
);
export type UpdateWarehouseRequest = Static<typeof UpdateWarehouseRequest>;

/**
 * A new storage profile for a warehouse (PUT /warehouses/{warehouse}/storage-profile): it replaces the stored one whole,
 * checked as at creation (unknown fields refused, the storage-root must lie in the storage it reaches, storage
 * authority for a tenant administrator). The storage type and the storage the root lies in (bucket, account and
 * container) cannot change: the warehouse's tables live there. See docs/storage.md.
 */
export const UpdateWarehouseStorageRequest = Type.Object(
  {
    'storage-profile': Type.Record(Type.String(), Type.Unknown(), {
      description: 'The whole new profile, of the same type as the stored one; fields left out take their defaults',
      examples: [{ type: 's3', bucket: 'lake-bucket', region: 'eu-west-1', endpoint: 'https://s3.eu-west-1.amazonaws.com' }],
    }),
    'storage-secret': Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        writeOnly: true,
        description:
          'A new secret replacing the stored one (stored encrypted, never returned; the old one is deleted). Absent: the stored secret is kept, and must fit the new profile',
      }),
    ),
    'remove-storage-secret': Type.Optional(
      Type.Boolean({
        description:
          "true: delete the stored secret; the profile then reaches its storage with the server's own cloud credentials (an instance role, the default chain), which only a platform administrator may choose. Not together with storage-secret",
      }),
    ),
  },
  { $id: 'UpdateWarehouseStorageRequest', additionalProperties: false },
);
export type UpdateWarehouseStorageRequest = Static<typeof UpdateWarehouseStorageRequest>;

/**
 * New connection settings or a new credential for a federated warehouse's remote (PUT
 * /warehouses/{warehouse}/federation): rotating the remote's secret, or pointing at its new address. Checked as at
 * creation, and the remote is called with what would be stored before anything is: a change that cannot connect is
 * refused and the warehouse keeps working as before. The kind cannot change (the mirrored tables belong to that remote).
 */
export const UpdateWarehouseFederationRequest = Type.Object(
  {
    federation: Type.Optional(Type.Ref(FederationSettings, { description: 'The whole new settings, of the same kind; absent: the stored settings are kept' })),
    'federation-secret': Type.Optional(
      Type.Ref(FederationSecret, { description: 'A new credential replacing the stored one (the old one is deleted); absent: the stored one is kept' }),
    ),
    'remove-federation-secret': Type.Optional(
      Type.Boolean({
        description: "true: delete the stored credential (a remote that needs none, or the server's own AWS credentials for Glue); not with federation-secret",
      }),
    ),
  },
  { $id: 'UpdateWarehouseFederationRequest', additionalProperties: false },
);
export type UpdateWarehouseFederationRequest = Static<typeof UpdateWarehouseFederationRequest>;

/**
 * One entry of a federated warehouse's remote failure history (docs/federation.md, "The remote's failures"): failures of
 * one operation with one error within one window (5 minutes) are one entry with their count and first and last times.
 */
export const FederationRemoteFailure = Type.Object(
  {
    operation: Type.Union(
      [
        Type.Literal('connect'),
        Type.Literal('check'),
        Type.Literal('list-namespaces'),
        Type.Literal('create-namespace'),
        Type.Literal('list-tables'),
        Type.Literal('load-table'),
        Type.Literal('create-table'),
        Type.Literal('stage-table'),
        Type.Literal('commit-table'),
        Type.Literal('drop-table'),
      ],
      { description: "The call to the remote that failed (check: the status answer's connection test; connect: opening the connection)" },
    ),
    error: Type.Ref(ErrorModel, {
      description: "The failure as Lakegate words it (never a secret): type and code (the HTTP status) as the warehouse's catalog calls answer it",
    }),
    count: Type.Integer({ minimum: 1, description: 'How many times it failed so within the window' }),
    'first-at-ms': Type.Integer({ description: 'The first of them (epoch milliseconds)' }),
    'last-at-ms': Type.Integer({ description: 'The last of them (epoch milliseconds)' }),
  },
  { $id: 'FederationRemoteFailure', additionalProperties: false },
);
export type FederationRemoteFailure = Static<typeof FederationRemoteFailure>;

/**
 * Whether a federated warehouse's remote answers now (GET /warehouses/{warehouse}/federation/status): the connection
 * test of creation and of a change, run with the stored settings and credential. A failure is not an HTTP error of
 * this call: it is answered in `error`, in the words Lakegate uses for the remote's refusal or silence (never a secret).
 */
export const FederationStatus = Type.Object(
  {
    warehouse: Type.String({ description: 'The federated warehouse' }),
    kind: Type.Union([Type.Literal('iceberg-rest'), Type.Literal('glue'), Type.Literal('hive')], { description: "The remote catalog's kind" }),
    ok: Type.Boolean({ description: 'true: the remote answered with the stored credential' }),
    'checked-at-ms': Type.Integer({ description: 'When the remote was called (epoch milliseconds)' }),
    'elapsed-ms': Type.Integer({ minimum: 0, description: 'How long the remote took to answer or fail' }),
    error: Type.Optional(
      Type.Ref(ErrorModel, {
        description:
          "Why the remote did not pass (ok false): its refusal or failure as Lakegate answers it on the warehouse's catalog calls; code is that HTTP status",
      }),
    ),
    'recent-failures': Type.Optional(
      Type.Array(Type.Ref(FederationRemoteFailure), {
        maxItems: 20,
        description:
          "The remote's recorded failures, by any replica, on the request path and in these checks (this one's included), newest first, at most 20; absent from servers without the history",
      }),
    ),
    'last-answered-at-ms': Type.Optional(
      Type.Integer({ description: 'When the remote last answered a call (epoch milliseconds; request-path answers are noted at most every 10 s per process)' }),
    ),
  },
  { $id: 'FederationStatus', additionalProperties: false },
);
export type FederationStatus = Static<typeof FederationStatus>;

/**
 * A page of a federated warehouse's remote failure history (GET /warehouses/{warehouse}/federation/failures): every
 * row kept (at most 200 per warehouse), newest last failure first; nothing is called at the remote.
 */
export const ListFederationRemoteFailuresResponse = Type.Object(
  {
    failures: Type.Array(Type.Ref(FederationRemoteFailure)),
    'next-page-token': Type.Optional(Type.String({ description: 'Absent on the last page' })),
  },
  { $id: 'ListFederationRemoteFailuresResponse', additionalProperties: false },
);
export type ListFederationRemoteFailuresResponse = Static<typeof ListFederationRemoteFailuresResponse>;

/** Named schemas of this file. */
export const MANAGEMENT_WAREHOUSE_SCHEMAS = [
  FederationSettings,
  FederationView,
  FederationSecret,
  CreateWarehouseRequest,
  Warehouse,
  ListWarehousesResponse,
  MetricsReportRecord,
  ListMetricsReportsResponse,
  TenantStorageGrant,
  UpdateWarehouseRequest,
  UpdateWarehouseStorageRequest,
  UpdateWarehouseFederationRequest,
  FederationRemoteFailure,
  FederationStatus,
  ListFederationRemoteFailuresResponse,
];

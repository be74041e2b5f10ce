/** Lakegate's management API: warehouses (a storage root and profile per catalog prefix) and stored metrics reports. */
import { type Static, Type } from '@sinclair/typebox';
import { StringMap } from '../schema/helpers.js';

export const CreateWarehouseRequest = Type.Object(
  {
    name: Type.String({ description: 'The Iceberg prefix and Lance root: letters, digits, -, _ and .' }),
    tenant: Type.Optional(Type.String({ description: "Default: the caller's tenant" })),
    'storage-root': Type.String({ examples: ['s3://bucket/warehouse', 'file:///var/lib/lakegate/warehouse'] }),
    'storage-profile': Type.Record(Type.String(), Type.Unknown(), { description: 'Storage settings by type (s3, azure, gcs, file); see docs/storage.md' }),
    'storage-secret': Type.Optional(Type.Record(Type.String(), Type.Unknown(), { writeOnly: true, description: 'Stored encrypted, never returned' })),
    properties: Type.Optional(StringMap()),
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
  },
  { $id: 'Warehouse' },
);
export type Warehouse = Static<typeof Warehouse>;

export const ListWarehousesResponse = Type.Object({ warehouses: Type.Array(Type.Ref(Warehouse)) }, { $id: 'ListWarehousesResponse' });
export type ListWarehousesResponse = Static<typeof ListWarehousesResponse>;

export const MetricsReportRecord = Type.Object(
  { id: Type.String(), 'report-type': Type.String(), 'created-at-ms': Type.Integer(), report: Type.Unknown({ description: 'The report as the engine sent it' }) },
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
    roots: Type.Array(Type.String(), { maxItems: 100, description: 'Cloud storage prefixes (s3://, gs://, abfss://); never file:', examples: [['s3://acme-bucket', 's3://shared/acme']] }),
  },
  { $id: 'TenantStorageGrant', additionalProperties: false },
);
export type TenantStorageGrant = Static<typeof TenantStorageGrant>;

/**
 * A change of a warehouse's settings (POST /warehouses/{warehouse}/properties): properties set and removed, checked
 * as at creation (drop.retention-ms, maintenance.interval-ms, history.expire.*; storage-authority rules for a tenant
 * administrator). A key may not be both set and removed.
 */
export const UpdateWarehouseRequest = Type.Object(
  {
    updates: Type.Optional(StringMap({ description: 'Properties to set, e.g. {"drop.retention-ms": "604800000", "history.expire.min-snapshots-to-keep": "3"}' })),
    removals: Type.Optional(Type.Array(Type.String(), { maxItems: 1000, description: 'Properties to remove (back to the server default)' })),
  },
  { $id: 'UpdateWarehouseRequest', additionalProperties: false },
);
export type UpdateWarehouseRequest = Static<typeof UpdateWarehouseRequest>;

/** Named schemas of this file. */
export const MANAGEMENT_WAREHOUSE_SCHEMAS = [CreateWarehouseRequest, Warehouse, ListWarehousesResponse, MetricsReportRecord, ListMetricsReportsResponse, TenantStorageGrant, UpdateWarehouseRequest];

/**
 * Iceberg REST building blocks used by every operation: namespaces, identifiers, page tokens, the catalog
 * configuration and the error envelope. Wire names are kebab-case, as the Iceberg REST spec spells them.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, StringMap } from '../schema/helpers.js';

/** The separator of namespace levels in a path parameter (sent as `%1F`). */
export const ICEBERG_NAMESPACE_SEPARATOR = '\u001f';

/** A namespace: its levels, outermost first. */
export const Namespace = Type.Array(Type.String(), {
  $id: 'Namespace',
  description: 'The levels of a namespace, outermost first',
  examples: [['accounting', 'tax']],
});
export type Namespace = Static<typeof Namespace>;

/** A table or view: its namespace and its name. */
export const TableIdentifier = Type.Object({ namespace: Type.Ref(Namespace), name: Type.String() }, { $id: 'TableIdentifier' });
export type TableIdentifier = Static<typeof TableIdentifier>;

/** An opaque paging token; `null` (or absent) in a response means the last page. */
export const PageToken = Nullable(Type.String(), {
  $id: 'PageToken',
  description: 'An opaque token for the next page. Send an empty pageToken to ask for paging; null or absent in a response ends the listing.',
});
export type PageToken = Static<typeof PageToken>;

/** The body of an Iceberg error. */
export const ErrorModel = Type.Object(
  {
    message: Type.String({ description: 'Human-readable message' }),
    type: Type.String({ description: 'The exception type clients branch on', examples: ['NoSuchTableException'] }),
    code: Type.Integer({ minimum: 400, maximum: 600, description: 'The HTTP status' }),
    stack: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'ErrorModel' },
);
export type ErrorModel = Static<typeof ErrorModel>;

/** Every non-2xx answer of the Iceberg surface (and of the management API): `{ error: { message, type, code } }`. */
export const IcebergErrorResponse = Type.Object({ error: Type.Ref(ErrorModel) }, { $id: 'IcebergErrorResponse', additionalProperties: false });
export type IcebergErrorResponse = Static<typeof IcebergErrorResponse>;

/** The answer of `GET /v1/config`. */
export const CatalogConfig = Type.Object(
  {
    defaults: StringMap({ description: 'Properties applied before the client configuration' }),
    overrides: StringMap({ description: 'Properties applied after the client configuration (e.g. prefix)' }),
    endpoints: Type.Optional(Type.Array(Type.String(), { description: 'The endpoints served, as "<METHOD> <path template>"' })),
    'idempotency-key-lifetime': Type.Optional(Type.String({ format: 'duration', description: 'How long an Idempotency-Key may be reused (ISO 8601)' })),
  },
  { $id: 'CatalogConfig' },
);
export type CatalogConfig = Static<typeof CatalogConfig>;

/** Named schemas of this file, for the OpenAPI components and the validator. */
export const ICEBERG_COMMON_SCHEMAS = [Namespace, TableIdentifier, PageToken, ErrorModel, IcebergErrorResponse, CatalogConfig];

/**
 * @lakegate/protocol: the one wire model of Lakegate. Schemas (TypeBox: JSON Schema at runtime, TypeScript
 * types at compile time) for the Iceberg REST Catalog API, the Lance REST Namespace API, the OAuth token
 * endpoint and the management API; one description per operation; the OpenAPI 3.1 document built from
 * them. Request validation (ajv, int64-aware) is in `@lakegate/protocol/validation`; the plain value lists the
 * schemas are built from, without TypeBox, in `@lakegate/protocol/constants`. No I/O.
 */
export * from './constants.js';
export * from './schema/int64.js';
export * from './schema/helpers.js';
export * from './iceberg/index.js';
export * from './lance/index.js';
export * from './oauth/token.js';
export * from './management/index.js';
export * from './trino-opa/index.js';
export * from './schemas.js';
export * from './operations/index.js';
export * from './openapi/index.js';
export * from './json-native.js';

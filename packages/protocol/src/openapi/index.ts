/** The OpenAPI 3.1 document of the wire contract. */
export { buildOpenApiDocument } from './document.js';
export type { OpenApiDocument, OpenApiOptions } from './document.js';
export { toOpenApiSchema, componentRef } from './json-schema.js';
export { securitySchemes, SECURITY_SCHEME_NAMES, AUTHENTICATED } from './security.js';
export type { SecurityScheme } from './security.js';

/**
 * Builds the OpenAPI 3.1 document of every operation Lakegate serves, from the operation descriptions
 * (../operations) and the named schemas (../schemas.ts). Pure: no I/O, the same input gives the same document.
 */
import type { TObject, TSchema } from '@sinclair/typebox';
import { OPERATIONS } from '../operations/index.js';
import { type HeaderSpec, type OperationSpec, type Surface, errorStatuses, idempotent } from '../operations/types.js';
import { NAMED_SCHEMAS } from '../schemas.js';
import { componentRef, toOpenApiSchema } from './json-schema.js';
import { AUTHENTICATED, SECURITY_SCHEME_NAMES, securitySchemes } from './security.js';

/** An OpenAPI 3.1 document (plain JSON). */
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers?: Array<{ url: string; description?: string }>;
  tags: Array<{ name: string; description: string }>;
  security: Array<Record<string, string[]>>;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

export interface OpenApiOptions {
  /** info.version; default the protocol package's. */
  version?: string;
  /** Server URLs (e.g. the public base URL); default none (relative to where the document was fetched). */
  servers?: Array<{ url: string; description?: string }>;
  /** The OAuth token endpoint; default `/v1/oauth/tokens`. */
  tokenUrl?: string;
  /** The operations to describe; default all (a server passes the ones it registered). */
  operations?: readonly OperationSpec[];
}

const TAGS: OpenApiDocument['tags'] = [
  { name: 'Configuration API', description: 'Iceberg REST: client configuration of a warehouse' },
  { name: 'Catalog API', description: 'Iceberg REST: namespaces, tables, views, transactions' },
  { name: 'Lance Namespace API', description: 'Lance REST Namespace over the same catalog, at /lance/{warehouse}' },
  { name: 'OAuth', description: 'The built-in OAuth 2.0 issuer' },
  { name: 'Lakegate management', description: 'Principals, keys, warehouses, audit' },
  { name: 'Lakegate management: access', description: 'Roles, members, grants, explain' },
];

const ENVELOPES: Record<Surface, string> = {
  iceberg: 'IcebergErrorResponse',
  management: 'IcebergErrorResponse',
  lance: 'LanceErrorResponse',
  oauth: 'OAuthErrorResponse',
};

const ERROR_DESCRIPTIONS: Record<string, string> = {
  400: 'Bad request: the request does not match this contract or breaks a rule',
  401: 'Not authenticated',
  403: 'Not allowed',
  404: 'Not found (a warehouse of another tenant is answered like a missing one)',
  406: 'Not supported by this server',
  409: 'Conflict',
  422: 'The Idempotency-Key was used for a different request',
  429: 'Too many failed attempts: retry after Retry-After seconds',
  503: 'Unavailable: retry after Retry-After seconds',
  '5XX': 'Server error (never with internal detail)',
};

const IDEMPOTENCY_KEY: HeaderSpec = {
  name: 'Idempotency-Key',
  description:
    'A UUIDv7 making a mutation safe to retry: a finished request with the same key is answered again, not run again (within idempotency-key-lifetime)',
  schema: { type: 'string', format: 'uuid', minLength: 36, maxLength: 36 } as unknown as TSchema,
};

function parametersOf(op: OperationSpec): unknown[] {
  const fromObject = (object: TObject | undefined, location: 'path' | 'query') =>
    Object.entries(object?.properties ?? {}).map(([name, schema]) => ({
      name,
      in: location,
      required: location === 'path' || (object?.required ?? []).includes(name),
      ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
      schema: toOpenApiSchema(schema),
    }));
  const headers = [...(op.headers ?? []), ...(idempotent(op) ? [IDEMPOTENCY_KEY] : [])].map((h) => ({
    name: h.name,
    in: 'header',
    required: h.required ?? false,
    description: h.description,
    schema: toOpenApiSchema(h.schema),
  }));
  return [...fromObject(op.params, 'path'), ...fromObject(op.query, 'query'), ...headers];
}

function responsesOf(op: OperationSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(op.responses)) {
    out[status] = {
      description: response.description,
      ...(response.headers
        ? { headers: Object.fromEntries(response.headers.map((h) => [h.name, { description: h.description, schema: toOpenApiSchema(h.schema) }])) }
        : {}),
      ...(response.schema ? { content: { 'application/json': { schema: toOpenApiSchema(response.schema) } } } : {}),
    };
  }
  const envelope = { content: { 'application/json': { schema: { $ref: componentRef(ENVELOPES[op.surface]) } } } };
  for (const status of [...errorStatuses(op).map(String), '5XX']) out[status] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', ...envelope };
  for (const [status, response] of Object.entries(op.errorBodies ?? {})) {
    out[status] = {
      description: response.description,
      ...(response.schema ? { content: { 'application/json': { schema: toOpenApiSchema(response.schema) } } } : {}),
    };
  }
  return out;
}

function securityOf(op: OperationSpec): Array<Record<string, string[]>> | undefined {
  if (op.security === 'authenticated') return undefined; // the document's default
  if (op.security === 'client') return [{ [SECURITY_SCHEME_NAMES.clientBasic]: [] }, {}];
  return [];
}

function operationObject(op: OperationSpec): Record<string, unknown> {
  const parameters = parametersOf(op);
  const security = securityOf(op);
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [...op.tags],
    ...(op.deprecated ? { deprecated: true } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: op.body.required, content: { [op.body.contentType]: { schema: toOpenApiSchema(op.body.schema) } } } } : {}),
    responses: responsesOf(op),
    ...(security ? { security } : {}),
  };
}

/**
 * The OpenAPI 3.1 document of the given operations (default: all), with every named schema as a component
 * and the security schemes (OAuth2 with token exchange, bearer JWT, SigV4, API key).
 *
 * @example
 * ```ts
 * app.get('/openapi.json', async () => buildOpenApiDocument({ tokenUrl: `${issuer}/v1/oauth/tokens` }));
 * ```
 */
export function buildOpenApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const op of options.operations ?? OPERATIONS) {
    const item = (paths[op.path] ??= {});
    const method = op.method.toLowerCase();
    if (item[method]) throw new TypeError(`${op.method} ${op.path} is described twice`);
    item[method] = operationObject(op);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lakegate',
      version: options.version ?? '0.1.0',
      description:
        'A lakehouse catalog: the Apache Iceberg REST Catalog API and the Lance REST Namespace API over one catalog, an OAuth 2.0 issuer and a management API.',
    },
    ...(options.servers ? { servers: options.servers } : {}),
    tags: TAGS,
    security: AUTHENTICATED,
    paths,
    components: {
      schemas: Object.fromEntries(NAMED_SCHEMAS.map((s) => [s.$id, toOpenApiSchema(s)])),
      securitySchemes: securitySchemes(options.tokenUrl ?? '/v1/oauth/tokens'),
    },
  };
}

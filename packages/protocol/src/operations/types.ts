/**
 * The shape of one HTTP operation of the wire contract. Every operation Lakegate serves is described once
 * (./iceberg.ts, ./lance.ts, ./oauth.ts, ./management.ts); the OpenAPI document, request validation, the
 * advertised Iceberg endpoints and the client's types all come from these descriptions. Adding an
 * operation is adding one `defineOperation({...})` to its surface's list.
 */
import { type TObject, type TRefUnsafe, type TSchema, Type } from '@sinclair/typebox';

/** The encapsulated server surface an operation belongs to: it decides authentication, idempotency and the error envelope. */
export type Surface = 'iceberg' | 'lance' | 'oauth' | 'management';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** A documented request or response header. */
export interface HeaderSpec {
  name: string;
  description: string;
  schema: TSchema;
  required?: boolean;
}

/** A success response: its description, body schema (none for 204/304 and empty 200s) and headers. */
export interface ResponseSpec {
  description: string;
  schema?: TSchema;
  headers?: readonly HeaderSpec[];
}

/** A request body; `S` and `R` keep the schema's and the requirement's types for the request types (./request-types.ts). */
export interface RequestBodySpec<S extends TSchema = TSchema, R extends boolean = boolean> {
  schema: S;
  /** An absent body counts as `{}` when false (Lance clients omit bodies the spec has). */
  required: R;
  contentType: 'application/json' | 'application/x-www-form-urlencoded' | 'application/vnd.apache.arrow.stream';
}

/** A JSON request body (what {@link jsonBody} makes): the contract validates it, and routes get its static type. */
export interface JsonBodySpec<S extends TSchema = TSchema, R extends boolean = boolean> extends RequestBodySpec<TRefUnsafe<S>, R> {
  contentType: 'application/json';
}

/** Who may call: `authenticated` (the surface's authentication chain), `client` (OAuth client authentication per grant) or `none`. */
export type SecurityKind = 'authenticated' | 'client' | 'none';

export interface OperationSpec {
  operationId: string;
  surface: Surface;
  method: HttpMethod;
  /** The OpenAPI path template, from the server root: `/v1/{prefix}/namespaces/{namespace}`. */
  path: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  /** Path parameters, every one named in `path`. */
  params?: TObject;
  /** Query parameters; each may appear at most once. */
  query?: TObject;
  /** Request headers worth documenting (Idempotency-Key is added by the surface rules). */
  headers?: readonly HeaderSpec[];
  body?: RequestBodySpec;
  /** Success responses by status. */
  responses: Readonly<Record<number, ResponseSpec>>;
  /** Error statuses beyond the surface's common ones (400, 401, 403, 503, …), answered in the surface's envelope. */
  errors?: readonly number[];
  /** Error statuses whose body is the envelope with more fields (a schema of its own), described as such; listed in `errors` too. */
  errorBodies?: Readonly<Record<number, ResponseSpec>>;
  security: SecurityKind;
  /** Listed in the `endpoints` of GET /v1/config (Iceberg catalog operations). */
  advertised?: boolean;
  deprecated?: boolean;
  /**
   * Changes nothing: a POST only to carry its input in a body (remote signing). It takes no Idempotency-Key, as there
   * is nothing to apply twice and a replayed answer would hand out an old decision.
   */
  safe?: boolean;
}

const PATH_PARAM = /\{([^}]+)\}/g;

/**
 * Checks an operation's description and returns it. A path parameter without a schema (or the reverse) is a
 * bug in this package and throws a TypeError at load time.
 *
 * @example
 * ```ts
 * export const dropView = defineOperation({ operationId: 'dropView', surface: 'iceberg', method: 'DELETE', path: '/v1/{prefix}/namespaces/{namespace}/views/{view}', … });
 * ```
 */
export function defineOperation<const T extends OperationSpec>(spec: T): T {
  const inPath = [...spec.path.matchAll(PATH_PARAM)].map((m) => m[1]!).sort();
  const declared = Object.keys(spec.params?.properties ?? {}).sort();
  if (inPath.join() !== declared.join()) {
    throw new TypeError(`${spec.operationId}: path parameters {${inPath.join(', ')}} differ from the params schema (${declared.join(', ')})`);
  }
  if (spec.params && (spec.params.required ?? []).length !== declared.length) throw new TypeError(`${spec.operationId}: every path parameter is required`);
  return spec;
}

/**
 * An object schema of parameters (path or query), each a string-valued schema.
 *
 * @example
 * ```ts
 * const params = parameters({ prefix: Prefix, namespace: NamespaceParam });
 * ```
 */
export const parameters = <P extends Record<string, TSchema>>(properties: P): TObject<P> => Type.Object(properties);

/**
 * A JSON request body referencing a named schema.
 *
 * @example
 * ```ts
 * defineOperation({ …, body: jsonBody(CreateNamespaceRequest) });
 * ```
 */
export function jsonBody<S extends TSchema>(schema: S): JsonBodySpec<S, true>;
export function jsonBody<S extends TSchema, R extends boolean>(schema: S, required: R): JsonBodySpec<S, R>;
export function jsonBody(schema: TSchema, required = true): JsonBodySpec {
  if (typeof schema.$id !== 'string') throw new TypeError('a request body must be a named schema');
  return { schema: Type.Ref(schema), required, contentType: 'application/json' };
}

/** The `body` member an operation helper (manage(), lance()) gives for an optional named schema `O['body']`, its type kept. */
export type JsonBodyMember<O, R extends boolean> = O extends { body: infer S extends TSchema } ? { body: JsonBodySpec<S, R> } : { body?: undefined };

/**
 * The `body` member of an operation made by a helper from `o.body`, a named schema or nothing.
 *
 * @example
 * ```ts
 * defineOperation({ ...rest, ...jsonBodyMember(o, true) });
 * ```
 */
export function jsonBodyMember<O extends { body?: TSchema | undefined }, R extends boolean>(o: O, required: R): JsonBodyMember<O, R> {
  // The conditional type cannot be followed through the branch by the compiler: the two branches are its two cases.
  return (o.body === undefined ? {} : { body: jsonBody(o.body, required) }) as JsonBodyMember<O, R>;
}

/**
 * Whether the operation takes an Idempotency-Key: Iceberg and Lance mutations (the surfaces attach it to their
 * POST and DELETE routes), not the POSTs marked `safe`.
 *
 * @example
 * ```ts
 * idempotent(operation('updateTable')); // true
 * ```
 */
export const idempotent = (op: OperationSpec): boolean =>
  (op.surface === 'iceberg' || op.surface === 'lance') && (op.method === 'POST' || op.method === 'DELETE') && op.safe !== true;

/**
 * The 4xx and 503 statuses an operation may answer (in its surface's error envelope; any 5xx may happen too):
 * the surface's common ones, the operation's own, and 422 for a reused Idempotency-Key.
 *
 * @example
 * ```ts
 * errorStatuses(operation('dropNamespace')); // [400, 401, 403, 404, 409, 422, 503]
 * ```
 */
export function errorStatuses(op: OperationSpec): number[] {
  const common = op.security === 'none' ? [] : op.security === 'client' ? [400, 401] : [400, 401, 403, 503];
  // An operation that names an object in its path (a warehouse, principal, role, table…) answers 404 when there is none.
  const named = op.security === 'authenticated' && Object.keys(op.params?.properties ?? {}).length > 0 ? [404] : [];
  return [...new Set<number>([...common, ...named, ...(op.errors ?? []), ...(idempotent(op) ? [422] : [])])].sort((a, b) => a - b);
}

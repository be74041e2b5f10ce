/**
 * The wire contract (@lakegate/protocol) on a surface: each surface plugin installs it before its routes, and
 * every route it registers must be an operation of the contract (by its `operationId`) or be hidden. The route
 * then gets the operation's path, query and JSON body schemas, compiled by the protocol's validator, so every
 * request is checked against the same schemas the served OpenAPI document is generated from, before the
 * handler runs (and after authentication: an anonymous caller learns nothing about the contract).
 *
 * Path and query values are coerced to the declared types (a `pageSize` arrives as a number, `purgeRequested`
 * as a boolean); bodies are checked as parsed (64-bit integers as bigint, see catalog/json.ts). A failure is
 * a CatalogError `ERR_VALIDATION`, which each surface's envelope answers with 400 in its own error model; its
 * message names the field and never echoes the value (`body/updates/0/action is required`).
 *
 * Form bodies (the OAuth token, revocation and introspection endpoints) are left to their handlers: RFC 6749
 * §5.2 and RFC 7009/7662 decide which error each malformed form gets (`unsupported_grant_type`,
 * `invalid_request`…), which a schema failure could not tell apart.
 */
import type { FastifyInstance, FastifySchema } from 'fastify';
import { OPERATIONS, type OperationSpec, type Surface, routeParams } from '@lakegate/protocol';
import { RequestValidation, type PartValidator, type RequestPart, formatIssue, issuesOf } from '@lakegate/protocol/validation';
import { CatalogError } from '../../errors/catalog-error.js';

declare module 'fastify' {
  interface FastifySchema {
    /** The operation of the wire contract a route serves (@lakegate/protocol); its schemas come from there. */
    operationId?: string;
    /** A route outside the contract (operational endpoints, the console's pages). */
    hide?: boolean;
  }
}

const byId = new Map<string, OperationSpec>(OPERATIONS.map((op) => [op.operationId, op]));

/** One validator per process: it compiles every named schema of the contract once, and each route's parts on first use. */
let shared: RequestValidation | undefined;
const validation = (): RequestValidation => (shared ??= new RequestValidation());

/**
 * A body the contract marks as optional (Lance clients omit bodies): absent is valid, present is checked.
 * Fastify hands a validator `null` for a request without a body; the handlers read an absent or null body as `{}`.
 */
function optional(validator: PartValidator): PartValidator {
  const wrapped: PartValidator = (data: unknown) => {
    if (data === undefined || data === null) {
      wrapped.errors = null;
      return true;
    }
    const ok = validator(data);
    wrapped.errors = validator.errors ?? null;
    return ok;
  };
  return wrapped;
}

const PARTS: Record<string, RequestPart> = { params: 'params', querystring: 'querystring', body: 'body' };

/** Installs the contract on an (encapsulated) surface: its routes must be that surface's operations. */
export function useContract(app: FastifyInstance, surface: Surface): void {
  app.addHook('onRoute', (route) => {
    const schema: FastifySchema = route.schema ?? {};
    const id = schema.operationId;
    if (id === undefined) {
      if (schema.hide) return;
      throw new TypeError(`${route.method} ${route.url}: a route of the ${surface} surface is not an operation of the wire contract`);
    }
    const op = byId.get(id);
    if (!op || op.surface !== surface) throw new TypeError(`${route.method} ${route.url}: ${id} is not an operation of the ${surface} surface`);
    const parts: FastifySchema = { ...schema };
    if (op.params) parts.params = routeParams(op)!;
    if (op.query) parts.querystring = op.query;
    if (op.body?.contentType === 'application/json') parts.body = op.body.schema;
    route.schema = parts;
    const optionalBody = op.body !== undefined && !op.body.required;
    route.validatorCompiler = ({ schema: partSchema, httpPart }) => {
      const part = PARTS[httpPart ?? ''];
      if (!part) throw new TypeError(`${id}: no validation for the request's ${String(httpPart)}`);
      const validator = validation().compile(partSchema as never, part);
      return part === 'body' && optionalBody ? optional(validator) : validator;
    };
    route.schemaErrorFormatter = (errors, dataVar) =>
      new CatalogError(
        'ERR_VALIDATION',
        issuesOf(PARTS[dataVar] ?? 'body', errors as never)
          .map(formatIssue)
          .join('; ') || `the request's ${dataVar} is invalid`,
      );
  });
}

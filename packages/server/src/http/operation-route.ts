/**
 * Registers a route of the wire contract by its operation id alone: the method and path come from the operation's
 * description (@lakegate/protocol), the contract plugin (plugins/contract.ts) validates the request against that
 * operation's schemas, and the handler's request is typed from the same schemas (OperationRequest). The validator
 * and the types are read from one description, so they cannot drift apart, and no route casts its body or query.
 */
import type { FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault, RouteHandlerMethod } from 'fastify';
import { type OperationId, type OperationRequest, operation, routePath } from '@lakegate/protocol';

/** A handler of one operation: its request's params, query and body typed from the contract. */
export type OperationHandler<Id extends OperationId> = RouteHandlerMethod<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  OperationRequest<Id>
>;

export interface OperationRouteOptions {
  /** The part of the operation's path a surface registered below its mount already (the Trino OPA surface: `/trino-opa`). */
  under?: string;
}

/**
 * Registers `handler` for the operation `id`, at the operation's method and path (below the surface's mount).
 *
 * @example
 * ```ts
 * operationRoute(app, 'planTableScan', async (req) => planning.plan(…, scanSpecOf(req.body), …));
 * ```
 */
export function operationRoute<Id extends OperationId>(app: FastifyInstance, id: Id, handler: OperationHandler<Id>, options: OperationRouteOptions = {}): void {
  const op = operation(id);
  const path = routePath(op);
  const under = options.under ?? '';
  if (!path.startsWith(`${under}/`)) throw new TypeError(`${id}: ${path} is not under ${under}`);
  app.route<OperationRequest<Id>>({ method: op.method, url: path.slice(under.length), schema: { operationId: id }, handler });
}

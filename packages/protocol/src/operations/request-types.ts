/**
 * The static types of each operation's request, read from the same descriptions (./index.ts) the contract
 * validates requests against and the OpenAPI document is built from, so a route's types and its validation
 * cannot drift apart: a field added to a request schema is a field of the route's `Body`.
 *
 * Path parameters carry their routed names (`plan-id` as `planId`, see routeParamName); query values their
 * coerced types (a `pageSize` is a number); a JSON body is the schema's Static type (int64 as `number | bigint`,
 * optional fields sent as null already removed by the body parser), or also absent where the body is optional.
 * Form bodies (OAuth) are left to their handlers, so their type is `unknown`.
 */
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { KnownOperation } from './every.js';

/** The id of every operation of the contract. */
export type OperationId = KnownOperation['operationId'];

/** Every operation's description by its id: built once, so each lookup is an index, not a search of the union. */
type OperationsById = { [Op in KnownOperation as Op['operationId']]: Op };

/** The description of one operation, by id. */
export type OperationOf<Id extends OperationId> = OperationsById[Id];

/** `plan-id` → `planId`, as routeParamName names a path parameter for the router. */
export type RouteParamName<S extends string> = S extends `${infer Head}-${infer C}${infer Tail}` ? `${Head}${Uppercase<C>}${RouteParamName<Tail>}` : S;

type ParamsOf<Op> = Op extends { params: TObject<infer P> } ? { [K in keyof P & string as RouteParamName<K>]: Static<P[K]> } : Record<string, never>;
type QueryOf<Op> = Op extends { query: infer Q extends TObject } ? Static<Q> : Record<string, never>;
type BodyOf<Op> = Op extends { body: { contentType: 'application/json'; required: infer R; schema: infer S extends TSchema } }
  ? R extends true
    ? Static<S>
    : Static<S> | undefined | null
  : unknown;

/**
 * An operation's request as a Fastify route generic: `FastifyRequest<OperationRequest<'planTableScan'>>`.
 *
 * @example
 * ```ts
 * type Plan = OperationRequest<'planTableScan'>['Body']; // PlanTableScanRequest
 * ```
 */
export interface OperationRequest<Id extends OperationId> {
  Params: ParamsOf<OperationOf<Id>>;
  Querystring: QueryOf<OperationOf<Id>>;
  Body: BodyOf<OperationOf<Id>>;
}

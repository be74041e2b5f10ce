/**
 * Response bodies written by serialisers compiled from the wire contract's own schemas
 * (`@lakegate/protocol`), with fast-json-stringify: the compiler Fastify itself uses for response
 * schemas. Not Fastify's route-level `response` schemas, because the app's reply serialiser
 * (lossless 64-bit JSON, http/plugins/json-body.ts) takes precedence over those; a route asks for
 * the body it sends instead.
 *
 * Why: a listing answers a long array of small objects, which the built-in JSON.stringify writes
 * several times slower than code generated for that exact shape (docs/benchmarks.md). Only for
 * bodies that hold no 64-bit integer and whose schema names every property: a compiled serialiser
 * writes just what its schema names.
 */
import fastJson from 'fast-json-stringify';
import type { FastifyReply } from 'fastify';
import { LanceListNamespacesResponse, LanceListTablesResponse, ListNamespacesResponse, ListTablesResponse, NAMED_SCHEMAS } from '@lakegate/protocol';

/** The named schemas a compiled serialiser may reference (`Type.Ref`), by `$id`. */
const REFERENCED = Object.fromEntries(NAMED_SCHEMAS.map((s) => [s.$id, s]));

/** A function writing values of one response schema as JSON. */
export type BodySerializer<T> = (value: T) => string;

export function compileBody<T>(schema: object): BodySerializer<T> {
  return fastJson(schema as Parameters<typeof fastJson>[0], { schema: REFERENCED as unknown as Record<string, Parameters<typeof fastJson>[0]> }) as BodySerializer<T>;
}

/** Sends `value` as a JSON body written by `serialize`. */
export function sendCompiled<T>(reply: FastifyReply, serialize: BodySerializer<T>, value: T): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(serialize(value));
}

/** The listings' bodies: Iceberg listTables/listViews and listNamespaces, the Lance table and namespace lists. */
export const listTablesBody = compileBody<ListTablesResponse>(ListTablesResponse);
export const listNamespacesBody = compileBody<ListNamespacesResponse>(ListNamespacesResponse);
export const lanceListTablesBody = compileBody<LanceListTablesResponse>(LanceListTablesResponse);
export const lanceListNamespacesBody = compileBody<LanceListNamespacesResponse>(LanceListNamespacesResponse);

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
import { Readable } from 'node:stream';
import fastJson from 'fast-json-stringify';
import type { FastifyReply } from 'fastify';
import { LanceListNamespacesResponse, LanceListTablesResponse, ListNamespacesResponse, ListTablesResponse, NAMED_SCHEMAS } from '@lakegate/protocol';
import type { WholeListing } from '../catalog/paging.js';
import { ListingBodies, sameLevels } from './listing-bodies.js';

/** The named schemas a compiled serialiser may reference (`Type.Ref`), by `$id`. */
const REFERENCED = Object.fromEntries(NAMED_SCHEMAS.map((s) => [s.$id, s]));

/** A function writing values of one response schema as JSON. */
export type BodySerializer<T> = (value: T) => string;

export function compileBody<T>(schema: object): BodySerializer<T> {
  return fastJson(schema as Parameters<typeof fastJson>[0], {
    schema: REFERENCED as unknown as Record<string, Parameters<typeof fastJson>[0]>,
  }) as BodySerializer<T>;
}

/** Sends a page of a listing, encoded once per equal page (listing-bodies.ts). */
export function sendListing<T>(reply: FastifyReply, bodies: ListingBodies<T>, items: readonly T[], token: string | null): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(bodies.body(items, token));
}

/**
 * Sends a whole listing (a request without pageToken) as one JSON object `{"<field>":[…],"next-page-token":null}`,
 * streamed page by page as the client reads it: the body of 10^5 names is never held in memory at once, and the first
 * bytes leave after the first page. Each page's items are written with JSON.stringify (names and levels: strings).
 */
export function sendEveryPage<T>(reply: FastifyReply, bodies: ListingBodies<T>, field: string, tokenField: string, listing: WholeListing<T>): FastifyReply {
  if (listing.complete !== undefined) return sendListing(reply, bodies, listing.complete, null);
  const { pages } = listing;
  async function* body(): AsyncGenerator<Buffer> {
    yield Buffer.from(`{${JSON.stringify(field)}:[`);
    let first = true;
    for await (const items of pages) {
      if (items.length === 0) continue;
      const json = JSON.stringify(items);
      yield Buffer.from(first ? json.slice(1, -1) : `,${json.slice(1, -1)}`);
      first = false;
    }
    yield Buffer.from(`],${JSON.stringify(tokenField)}:null}`);
  }
  return reply.type('application/json; charset=utf-8').send(Readable.from(body(), { objectMode: false }));
}

/** The listings' bodies: Iceberg listTables/listViews and listNamespaces, the Lance table and namespace lists. */
export const listTablesBody = compileBody<ListTablesResponse>(ListTablesResponse);
export const listNamespacesBody = compileBody<ListNamespacesResponse>(ListNamespacesResponse);
export const lanceListTablesBody = compileBody<LanceListTablesResponse>(LanceListTablesResponse);
export const lanceListNamespacesBody = compileBody<LanceListNamespacesResponse>(LanceListNamespacesResponse);

type Identifier = ListTablesResponse['identifiers'][number];

/** Iceberg listTables and listViews pages. */
export const tableListings = new ListingBodies<Identifier>({
  equal: (a, b) => a.name === b.name && sameLevels(a.namespace, b.namespace),
  // One namespace array for the items that shared one (a page of listTables shares one throughout).
  copy: (items) => {
    let from: readonly string[] | undefined;
    let levels: string[] = [];
    return items.map((item) => {
      if (item.namespace !== from) [from, levels] = [item.namespace, [...item.namespace]];
      return { namespace: levels, name: item.name };
    });
  },
  name: (item) => `${item.namespace.join('\u001f')}\u001f${item.name}`,
  encode: (identifiers, token) => listTablesBody({ identifiers: identifiers as Identifier[], 'next-page-token': token }),
});

/** Iceberg listNamespaces pages. */
export const namespaceListings = new ListingBodies<string[]>({
  equal: sameLevels,
  copy: (namespaces) => namespaces.map((levels) => [...levels]),
  name: (levels) => levels.join('\u001f'),
  encode: (namespaces, token) => listNamespacesBody({ namespaces: namespaces as string[][], 'next-page-token': token }),
});

/** Lance pages list plain names: strings, equal when they are the same string. */
const NAMES = { equal: (a: string, b: string) => a === b, copy: (names: readonly string[]) => names.slice(), name: (name: string) => name };

/** Lance table list pages. */
export const lanceTableListings = new ListingBodies<string>({
  ...NAMES,
  encode: (tables, token) => lanceListTablesBody({ tables: tables as string[], page_token: token }),
});

/** Lance namespace list pages. */
export const lanceNamespaceListings = new ListingBodies<string>({
  ...NAMES,
  encode: (namespaces, token) => lanceListNamespacesBody({ namespaces: namespaces as string[], page_token: token }),
});

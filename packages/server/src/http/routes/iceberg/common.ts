import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ListTablesResponse } from '@lakegate/protocol';
import type { CatalogRequest } from '../../../catalog/context.js';
import { NAMESPACE_SEPARATOR } from '../../../catalog/identifiers.js';
import type { PageRequest, WholeListing } from '../../../catalog/paging.js';
import type { TableAccess } from '../../../catalog/kit/table-kit.js';
import type { DelegationMechanism, SignedStorageRequest } from '../../../catalog/ports/signing.js';

import { catalogRequest } from '../../caller.js';
import { sendEveryPage, sendListing, tableListings } from '../../serializers.js';

export { callerOf, catalogRequest } from '../../caller.js';

/** A namespace path parameter: levels joined by U+001F (sent as %1F). */
export function namespaceParam(raw: string): string[] {
  return raw.split(NAMESPACE_SEPARATOR);
}

/** Paging parameters, as the contract validated them (http/plugins/contract.ts): pageSize is an integer of at least 1. */
export function pageQuery(req: FastifyRequest<{ Querystring: { pageToken?: string; pageSize?: number } }>): PageRequest {
  return { pageToken: req.query.pageToken, pageSize: req.query.pageSize };
}

/** The tables or the views of a namespace, as TableService and ViewService list them. */
interface ObjectLister {
  list(
    request: CatalogRequest,
    namespace: string[],
    paging: PageRequest,
  ): Promise<{ identifiers: ListTablesResponse['identifiers']; nextPageToken: string | null }>;
  listAll(request: CatalogRequest, namespace: string[]): Promise<WholeListing<ListTablesResponse['identifiers'][number]>>;
}

/** listTables and listViews: without pageToken the spec asks for every object in one answer (next-page-token null), streamed; else one page. */
export async function sendObjectListing(
  req: FastifyRequest<{ Params: { prefix: string; namespace: string }; Querystring: { pageToken?: string; pageSize?: number } }>,
  reply: FastifyReply,
  objects: ObjectLister,
): Promise<FastifyReply> {
  const paging = pageQuery(req);
  if (paging.pageToken === undefined)
    return sendEveryPage(
      reply,
      tableListings,
      'identifiers',
      'next-page-token',
      await objects.listAll(catalogRequest(req), namespaceParam(req.params.namespace)),
    );
  const r = await objects.list(catalogRequest(req), namespaceParam(req.params.namespace), paging);
  return sendListing(reply, tableListings, r.identifiers, r.nextPageToken);
}

export const noContent = (reply: FastifyReply) => reply.code(204).send();

/**
 * Sends a table's or view's metadata answer with the metadata's exact JSON spliced in as it is (catalog/metadata-files.ts,
 * MetadataResult): `{"metadata-location":…,"metadata":…}`, then `extras` (config, storage-credentials), whose values
 * are plain JSON. loadTable's answers are built the same way (load-body.ts).
 */
export function metadataAnswer(metadataLocation: string, metadataJson: string, extras: Record<string, unknown> = {}, labelsJson?: string): string {
  const rest = JSON.stringify(extras).slice(1, -1);
  const labels = labelsJson === undefined ? '' : `,"labels":${labelsJson}`;
  return `{"metadata-location":${JSON.stringify(metadataLocation)},"metadata":${metadataJson}${rest.length > 0 ? `,${rest}` : ''}${labels}}`;
}

export const sendJson = (reply: FastifyReply, text: string | Buffer) => reply.type('application/json; charset=utf-8').send(text);

/** A RemoteSignResult. Clients must not reuse a signature: the next request is decided by the privileges of its moment. */
export function sendSigned(reply: FastifyReply, signed: SignedStorageRequest): FastifyReply {
  reply.header('cache-control', 'no-cache');
  if (signed.escapeFree) {
    // Every string is its own JSON text between quotes (the signer checked: SignedStorageRequest.escapeFree), so none
    // is passed through JSON.stringify, whose scan and copy of each character was ~0.7 µs per sign (a ~450-character
    // URI and a ~300-character Authorization): the same text (s3-sign-rules.test.ts holds it to JSON.stringify's).
    return sendJson(reply, escapeFreeJson(signed));
  }
  // Strings only: JSON.stringify, not the catalog's bigint-aware serializer (this runs once per storage request); the
  // two members written around their own stringify, without an object to hold them (~70 ns less, the same text).
  return sendJson(reply, `{"uri":${JSON.stringify(signed.uri)},"headers":${JSON.stringify(signed.headers)}}`);
}

/** The JSON text of an escape-free answer, as JSON.stringify writes `{ uri, headers }`. */
export function escapeFreeJson(signed: SignedStorageRequest): string {
  let headers = '';
  for (const name in signed.headers) {
    const values = signed.headers[name]!;
    let list = '';
    for (let i = 0; i < values.length; i++) list += i === 0 ? `"${values[i]!}"` : `,"${values[i]!}"`;
    headers += headers === '' ? `"${name}":[${list}]` : `,"${name}":[${list}]`;
  }
  return `{"uri":"${signed.uri}","headers":{${headers}}}`;
}

/**
 * The access mechanisms the client supports (X-Iceberg-Access-Delegation: a comma-separated list, maybe repeated);
 * unknown ones are ignored. The warehouse picks among them (catalog/kit/delegation.ts).
 */
export function accessDelegation(req: FastifyRequest): DelegationMechanism[] {
  const header = req.headers['x-iceberg-access-delegation'];
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  const out: DelegationMechanism[] = [];
  for (const v of value.split(',')) {
    const m = v.trim().toLowerCase();
    if ((m === 'vended-credentials' || m === 'remote-signing') && !out.includes(m)) out.push(m);
  }
  return out;
}

/** config and storage-credentials of a LoadTableResult, in Iceberg's wire names (storage-credentials only when there are some). */
export function accessFields(access: TableAccess): {
  config: Record<string, string>;
  'storage-credentials'?: TableAccess['storageCredentials'];
  'remote-signing-config'?: TableAccess['remoteSigningConfig'];
  'read-restrictions'?: Record<string, unknown>;
} {
  const signing = access.remoteSigningConfig === undefined ? {} : { 'remote-signing-config': access.remoteSigningConfig };
  const restrictions = access.readRestrictions === undefined ? {} : { 'read-restrictions': access.readRestrictions };
  return access.storageCredentials.length === 0
    ? { config: access.config, ...signing, ...restrictions }
    : { config: access.config, 'storage-credentials': access.storageCredentials, ...signing, ...restrictions };
}

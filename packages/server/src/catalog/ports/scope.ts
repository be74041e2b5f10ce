/**
 * A request as the catalog's services take it, and its scope once resolved: the shapes every service, the HTTP
 * routes and the kits name, kept in the ports wing so that a low piece (credentials, a kit) needs no service context
 * to name them. context.ts re-exports both.
 */
import type { Caller, Warehouse } from './index.js';

/** What a protocol route hands a catalog service: who is asking, and which warehouse (the Iceberg prefix) it addresses. */
export interface CatalogRequest {
  caller: Caller;
  warehouse: string;
  /** The Idempotency-Key the request claimed, and what an earlier attempt with it applied (context.ts APPLIED_OUTCOME). */
  idempotency?: { key: string; applied?: string | undefined } | undefined;
}

/** The warehouse a request addresses, resolved once per request (tenant checked), and who is asking. */
export interface RequestScope {
  warehouse: Warehouse;
  caller: Caller;
}

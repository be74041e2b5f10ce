/**
 * What crosses between the request thread and a Parquet rewrite thread (compose/rewrite-threads.ts and
 * rewrite-thread-entry.ts): structured-cloned plain data only. A job carries the rewrite request (without its
 * AbortSignal, which the main side keeps), the scratch directory the main side made for it (so it can remove it when
 * the thread dies), and the recipe of the warehouse's storage: its profile and opened secret, which the thread needs
 * to open the storage itself and nothing else; neither is ever logged or posted back. Errors come back as their class
 * and code, so the caller gets the same CatalogError the in-process rewriter throws.
 */
import type { RewriteRequest, RewrittenFile } from '../catalog/planning/rewrite-ports.js';
import { CatalogError, type CatalogErrorCode } from '../errors/catalog-error.js';
import type { ThreadPolicy } from '../runtime/thread-priority.js';
import type { StorageRecipe } from '../storage/warehouse-storage.js';

export type ToRewriteThread = { type: 'job'; id: number; request: RewriteRequest; dir: string; storage: StorageRecipe };

export type WireError = { kind: 'catalog'; code: CatalogErrorCode; message: string } | { kind: 'type' | 'other'; message: string };

export type FromRewriteThread =
  | { type: 'done'; id: number; file: RewrittenFile }
  | { type: 'failed'; id: number; error: WireError }
  /** The thread's OS task id once it lowered its own niceness (Linux; runtime/thread-priority.ts). */
  | { type: 'priority'; tid: number; niceness: number; policy: ThreadPolicy };

/** The request as the thread gets it: the signal stays with the caller (an AbortSignal cannot be cloned). */
export function wireRequest(request: RewriteRequest): RewriteRequest {
  const { signal: _signal, ...rest } = request;
  return rest;
}

/** An error as the thread posts it: the class, the stable code, the message (no stack, no cause). */
export function toWire(e: unknown): WireError {
  if (e instanceof CatalogError) return { kind: 'catalog', code: e.code, message: e.message };
  if (e instanceof TypeError) return { kind: 'type', message: e.message };
  return { kind: 'other', message: e instanceof Error ? e.message : String(e) };
}

/** The error the in-process rewriter would have thrown: the same CatalogError or TypeError, anything else an Error with its message. */
export function fromWire(e: WireError): Error {
  switch (e.kind) {
    case 'catalog':
      return new CatalogError(e.code, e.message);
    case 'type':
      return new TypeError(e.message);
    default:
      return new Error(e.message);
  }
}

/**
 * What the LanceDB adapters share (optimize, lancedb-optimizer.ts; CreateTable with data, lancedb-table-writer.ts;
 * UpdateFieldMetadata, lancedb-field-metadata.ts): the optional library, loaded on first use, and the private Lance
 * namespace LanceDB commits through.
 *
 * Why one place: all must refuse the same way where @lancedb/lancedb does not load (ERR_NOT_IMPLEMENTED, 406, one
 * wording naming the optional dependency and the loader's reason), and all must reach the catalog only through its
 * own Lance routes (lancedb-optimizer.ts says why): the catalog's Lance surface started on a private listener
 * (127.0.0.1, a free port, for one call's length), whose only credential is a secret this call holds
 * (job-credential.ts), so LanceDB declares and commits as a REST namespace client with the same checks, events and
 * audit records as any client's. A failed load is not kept: the next call tries the library again (it may have been
 * installed since).
 */
import type { FastifyInstance } from 'fastify';
import type { AuthenticatorChain } from '../auth/authn/authenticator.js';
import { AuthenticatorChain as Chain } from '../auth/authn/authenticator.js';
import { CatalogError } from '../errors/catalog-error.js';
import { lanceLibraryMissing } from '../catalog/lance/library.js';
import type { Caller } from '../catalog/ports/index.js';
import { JobCredential } from './job-credential.js';
import { cleanReason } from './library-errors.js';

export type LanceDb = typeof import('@lancedb/lancedb');
/** A LanceDB namespace client, as `connectNamespace` gives it. */
export type LanceNamespaceClient = Awaited<ReturnType<LanceDb['connectNamespace']>>;

/** What every DeclareTable on one private surface is made to carry (CreateTable's own location and properties). */
export interface DeclareWith {
  location: string | undefined;
  properties: Record<string, string>;
  /**
   * Told the status the surface answered each DeclareTable (409: the name was taken meanwhile) and each
   * CreateTableVersion with (409: another client committed the declared table's first version meanwhile).
   */
  answered?: (status: number, operation: 'declare' | 'commit') => void;
}

/** Builds the private Lance surface (the catalog's own routes under /lance) with the job's authentication only. */
export type LoopbackLanceApp = (chain: AuthenticatorChain, options?: { declare?: DeclareWith }) => Promise<FastifyInstance>;

/**
 * Makes each DeclareTable (and its older name, CreateEmptyTable) on this private surface carry `declare`'s location
 * (when one was asked for) and properties, before the request is validated, so the table is recorded with them by the
 * same route, checks and transaction as any client's DeclareTable. Why: LanceDB's createTable declares the table
 * with its name only (0.39 sends neither a location nor properties), and CreateTable's own must not be lost or
 * applied afterwards (a second step would leave a window where the table exists without them). Called by the
 * surface's builder before the routes are registered (a hook applies to routes registered after it); the surface
 * lives for one CreateTable call and LanceDB declares that one table on it. The status each DeclareTable was
 * answered with is reported (`answered`), so the writer tells a name taken meanwhile (409) by the catalog's own
 * answer, not by the wording of LanceDB's error; after such a 409 the surface answers nothing else (see below). So is
 * each CreateTableVersion's: a 409 there is another client's first version of the declared table, landed first
 * (LanceDB 0.39 reports it as "Table … already exists").
 */
export function declaringWith(app: FastifyInstance, declare: DeclareWith): void {
  // Once a DeclareTable here was refused (409: another client declared the name after CreateTable's own check), the
  // surface refuses every later request: LanceDB 0.39, answered 409, goes on to describe the table and writes into
  // it, which would commit this call's rows as the other client's table's first version.
  let refused = false;
  app.addHook('onRequest', async () => {
    if (refused) throw new CatalogError('ERR_TABLE_EXISTS', 'The table was declared by another client while this CreateTable ran');
  });
  app.addHook('preValidation', async (req) => {
    const operation = (req.routeOptions.schema as { operationId?: string } | undefined)?.operationId;
    if (operation !== 'lanceDeclareTable' && operation !== 'lanceCreateEmptyTable') return;
    const body = req.body === undefined || req.body === null ? {} : req.body;
    if (typeof body !== 'object' || Array.isArray(body)) return;
    const sent = (body as { properties?: unknown }).properties;
    req.body = {
      ...body,
      ...(declare.location !== undefined ? { location: declare.location } : {}),
      properties: { ...(sent !== null && typeof sent === 'object' ? sent : {}), ...declare.properties },
    };
  });
  // onSend, not onResponse: the refusal must hold before LanceDB can read this answer and send its next request.
  app.addHook('onSend', async (req, reply, payload) => {
    const operation = (req.routeOptions.schema as { operationId?: string } | undefined)?.operationId;
    if (operation === 'lanceDeclareTable' || operation === 'lanceCreateEmptyTable') {
      if (reply.statusCode === 409) refused = true;
      declare.answered?.(reply.statusCode, 'declare');
    } else if (operation === 'lanceCreateTableVersion') declare.answered?.(reply.statusCode, 'commit');
    return payload;
  });
}

/** A lost commit race, as the Lance library reports it: whether Lance says it may be tried again, and against what. */
export interface LanceConflict {
  /** "Retryable commit conflict": the operation may run again on the new latest version (Lance says so). */
  retryable: boolean;
  /** What won, e.g. "incompatible with concurrent transaction UpdateConfig at version 2". */
  reason: string;
}

/**
 * Whether a library error is a lost commit race. Every commit of these adapters is a CreateTableVersion of the
 * catalog's; when another writer's version lands first, the catalog answers 409, Lance reads what won and either
 * rebases (the two commute: an append beside a metadata change, say; the call then succeeds) or refuses its own
 * commit: "Retryable commit conflict … preempted by concurrent transaction …" (run it again on the new version) or
 * "Incompatible transaction … incompatible with concurrent transaction …" (it must not be replayed blindly), or
 * "Commit conflict for version …" once its own attempts are spent. Each is the caller's 409 (ERR_COMMIT_CONFLICT),
 * never a 503: the other writer's version is kept and nothing of this call was committed.
 */
export function lanceConflict(e: unknown): LanceConflict | undefined {
  const message = e instanceof Error ? e.message : String(e);
  const retryable = /Retryable commit conflict/.test(message);
  if (!retryable && !/Incompatible transaction|Commit conflict for version/.test(message)) return undefined;
  const reason = /(?:preempted by|incompatible with) concurrent transaction \w+ at version \d+/.exec(message)?.[0];
  return { retryable, reason: reason ?? (retryable ? 'a retryable commit conflict' : 'a concurrent commit') };
}

export class LanceDbLoopback {
  private library: Promise<LanceDb> | undefined;

  constructor(
    /** What needs the library, as the refusal names it ("optimize", "CreateTable with data"). */
    private readonly operation: string,
    private readonly loopback: LoopbackLanceApp,
    /** How the library is loaded (a test passes one that fails, as an install without it would). */
    private readonly load: () => Promise<LanceDb> = () => import('@lancedb/lancedb'),
  ) {}

  /** The library, or ERR_NOT_IMPLEMENTED naming it and why it did not load. */
  lancedb(): Promise<LanceDb> {
    this.library ??= this.load().catch((e: unknown) => {
      this.library = undefined;
      throw new CatalogError('ERR_NOT_IMPLEMENTED', lanceLibraryMissing(this.operation, cleanReason(e)));
    });
    return this.library;
  }

  /** The refusal's message where the library does not load, or undefined when it does. */
  async unavailable(): Promise<string | undefined> {
    try {
      await this.lancedb();
      return undefined;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  /**
   * Runs `work` with a LanceDB namespace client of `warehouse` on a private listener that accepts only this call's
   * credential, acting as `committer` (its DeclareTable carrying `options.declare`, see declaringWith); the client
   * and the listener are closed when it ends, however it ends.
   */
  async withNamespace<T>(
    warehouse: string,
    committer: Caller,
    work: (db: LanceNamespaceClient) => Promise<T>,
    options: { declare?: DeclareWith } = {},
  ): Promise<T> {
    const lancedb = await this.lancedb();
    const credential = new JobCredential(committer);
    const app = await this.loopback(new Chain([credential]), options);
    try {
      // exclusive: in a worker of `serve --workers N` (node:cluster), this process's own socket, not one the primary shares.
      await app.listen({ host: '127.0.0.1', port: 0, exclusive: true });
      const { port } = app.server.address() as { port: number };
      const db = await lancedb.connectNamespace('rest', {
        uri: `http://127.0.0.1:${port}/lance/${encodeURIComponent(warehouse)}`,
        headers: { Authorization: credential.authorization },
      });
      try {
        return await work(db);
      } finally {
        db.close();
      }
    } finally {
      await app.close();
    }
  }
}

/**
 * What the two LanceDB adapters share (optimize, lancedb-optimizer.ts, and CreateTable with data,
 * lancedb-table-writer.ts): the optional library, loaded on first use, and the private Lance namespace LanceDB commits
 * through.
 *
 * Why one place: both must refuse the same way where @lancedb/lancedb does not load (ERR_NOT_IMPLEMENTED, 406, one
 * wording naming the optional dependency and the loader's reason), and both must reach the catalog only through its
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

export type LanceDb = typeof import('@lancedb/lancedb');
/** A LanceDB namespace client, as `connectNamespace` gives it. */
export type LanceNamespaceClient = Awaited<ReturnType<LanceDb['connectNamespace']>>;

/** Builds the private Lance surface (the catalog's own routes under /lance) with the job's authentication only. */
export type LoopbackLanceApp = (chain: AuthenticatorChain) => Promise<FastifyInstance>;

/** The first line of a library error, bounded, without anything that looks like a credential. */
export function libraryReason(e: unknown): string {
  const line = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
  return line.replace(/(bearer|basic)\s+\S+/gi, '$1 …').slice(0, 300);
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
      throw new CatalogError('ERR_NOT_IMPLEMENTED', lanceLibraryMissing(this.operation, libraryReason(e)));
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
   * credential, acting as `committer`; the client and the listener are closed when it ends, however it ends.
   */
  async withNamespace<T>(warehouse: string, committer: Caller, work: (db: LanceNamespaceClient) => Promise<T>): Promise<T> {
    const lancedb = await this.lancedb();
    const credential = new JobCredential(committer);
    const app = await this.loopback(new Chain([credential]));
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

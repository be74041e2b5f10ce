/**
 * The credential of one optimize job's private Lance namespace (lancedb-optimizer.ts), of one CreateTable with data
 * (lancedb-table-writer.ts), and of one Spark compaction job's private Iceberg catalog
 * (spark-executor/spark-executor.ts): a random bearer secret that
 * only the job's client (LanceDB, Spark) holds, accepted only on the job's own loopback listener and only while the job
 * runs, standing for the catalog as committer (`system:maintenance` on behalf of the caller the job was authorized
 * for). The listener's authentication chain has this one authenticator, so no other credential is accepted there, and
 * this secret is accepted nowhere else.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../auth/actor.js';
import type { Authenticator, RequestCredentials } from '../auth/authn/authenticator.js';
import type { Caller } from '../catalog/ports/index.js';
import { bindCaller } from '../http/caller.js';

export class JobCredential implements Authenticator {
  /** The value of the Authorization header the job's client sends. */
  readonly authorization = `Bearer ${randomBytes(32).toString('base64url')}`;
  private readonly expected = Buffer.from(this.authorization);
  private readonly actor: Actor;

  constructor(
    committer: Caller,
    /** The authenticator's name, as the chain reports it. */
    readonly name = 'optimize-job',
  ) {
    this.actor = { subject: 'system:maintenance', tenant: committer.tenant, kind: 'service', issuer: 'lakegate', roles: [], groups: [], method: 'job' };
    // The routes take the caller of this actor: the committer itself (its privileges, audited by its description), as
    // the catalog's own job: no row/column policy applies to what the job reads, which it hands to no one (gate.ts).
    const { requestId: _, ...base } = committer;
    bindCaller(this.actor, { ...base, catalogJob: true });
  }

  async authenticate(request: RequestCredentials): Promise<Actor | undefined> {
    const got = Buffer.from(request.authorization ?? '');
    return got.length === this.expected.length && timingSafeEqual(got, this.expected) ? this.actor : undefined;
  }
}

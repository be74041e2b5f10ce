/** Console sessions over the catalog database (table console_sessions, migration 0009). */
import type { Kysely } from 'kysely';
import type { SessionIdentity, SessionRecord, SessionRepository } from '../auth/sessions/ports.js';
import type { CatalogDatabase } from './schema.js';

export class KyselySessionRepository implements SessionRepository {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async insertSession(s: SessionRecord): Promise<void> {
    await this.db
      .insertInto('console_sessions')
      .values({
        id_hash: s.idHash,
        tenant: s.identity.tenant,
        subject_kind: s.identity.kind,
        subject: s.identity.subject,
        issuer: s.identity.issuer,
        groups: JSON.stringify(s.identity.groups),
        secret_version: s.identity.secretVersion ?? null,
        created_at: s.createdAtMs,
        expires_at: s.expiresAtMs,
      })
      .execute();
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('console_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    if (!row) return undefined;
    const identity: SessionIdentity = {
      kind: row.subject_kind === 'user' ? 'user' : 'service',
      subject: row.subject,
      issuer: row.issuer,
      tenant: row.tenant,
      groups: JSON.parse(row.groups) as string[],
      ...(row.secret_version === null ? {} : { secretVersion: Number(row.secret_version) }),
    };
    return { idHash: row.id_hash, identity, createdAtMs: Number(row.created_at), expiresAtMs: Number(row.expires_at) };
  }

  async deleteSession(idHash: string): Promise<boolean> {
    const r = await this.db.deleteFrom('console_sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async deleteExpiredSessions(nowMs: number): Promise<number> {
    const r = await this.db.deleteFrom('console_sessions').where('expires_at', '<=', nowMs).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

import { type Kysely, type Selectable, sql } from 'kysely';
import { readDelegationPolicy } from '../auth/delegation-policy.js';
import type {
  AccessKeyRecord,
  ApiKeyRecord,
  AuditEvent,
  AuditQuery,
  IdentityRepository,
  ServicePrincipal,
  TokenSessionKey,
  TokenSessionRecord,
} from '../auth/ports.js';
import type { OutboxWriter } from '../catalog/ports/outbox.js';
import { appendOutboxEvents } from './kysely-outbox.js';
import type { AccessKeysTable, ApiKeysTable, CatalogDatabase, ServicePrincipalsTable, TokenSessionsTable } from './schema.js';

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
/** A LIKE pattern that matches the text literally: %, _ and the escape character itself are escaped. */
const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);
/** Case-insensitive literal match, the same in SQLite and PostgreSQL (SQLite's LIKE has no default escape character). */
const contains = (column: 'actor' | 'object', text: string) => sql<boolean>`lower(${sql.ref(column)}) like lower(${`%${escapeLike(text)}%`}) escape '\\'`;
const startsWith = (column: 'action', text: string) => sql<boolean>`${sql.ref(column)} like ${`${escapeLike(text)}%`} escape '\\'`;

const toPrincipal = (r: Selectable<ServicePrincipalsTable>): ServicePrincipal => ({
  clientId: r.client_id,
  name: r.name,
  tenant: r.tenant,
  secretHash: r.secret_hash,
  secretVersion: r.secret_version,
  roles: JSON.parse(r.roles) as string[],
  // Policies stored before issuers were recorded hold bare names; readDelegationPolicy says what they match.
  delegation: readDelegationPolicy(JSON.parse(r.delegation)),
  disabled: r.disabled === 1,
  createdAtMs: num(r.created_at),
  ...(r.tokens_valid_after === null || r.tokens_valid_after === undefined ? {} : { tokensValidAfterMs: num(r.tokens_valid_after) }),
});

const toAccessKey = (r: Selectable<AccessKeysTable>): AccessKeyRecord => ({
  accessKeyId: r.access_key_id,
  clientId: r.client_id,
  ciphertext: r.ciphertext,
  createdAtMs: num(r.created_at),
  revokedAtMs: r.revoked_at === null ? undefined : num(r.revoked_at),
});

const toApiKey = (r: Selectable<ApiKeysTable>): ApiKeyRecord => ({
  keyId: r.key_id,
  clientId: r.client_id,
  name: r.name,
  hash: r.hash,
  createdAtMs: num(r.created_at),
  expiresAtMs: r.expires_at === null ? undefined : num(r.expires_at),
  revokedAtMs: r.revoked_at === null ? undefined : num(r.revoked_at),
});

const toSession = (r: Selectable<TokenSessionsTable>): TokenSessionRecord => ({
  sid: r.sid,
  clientId: r.client_id,
  tenant: r.tenant,
  refreshGeneration: Number(r.refresh_generation),
  revokedAtMs: r.revoked_at === null ? undefined : num(r.revoked_at),
  revokedReason: r.revoked_reason ?? undefined,
  expiresAtMs: num(r.expires_at),
});

/** Rows per INSERT of audit events (10 parameters each). */
const AUDIT_ROWS_PER_STATEMENT = 100;

export class KyselyIdentityRepository implements IdentityRepository {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  /** fn's changes and its events in one transaction (the events last: kysely-outbox.ts's lock order). */
  withEvents<T>(fn: (identity: IdentityRepository, outbox: OutboxWriter) => Promise<T>): Promise<T> {
    const run = (trx: Kysely<CatalogDatabase>) => fn(new KyselyIdentityRepository(trx), { appendEvents: (events) => appendOutboxEvents(trx, events) });
    return this.db.isTransaction ? run(this.db) : this.db.transaction().execute(run);
  }

  async insertAccessKey(r: AccessKeyRecord): Promise<void> {
    await this.db
      .insertInto('access_keys')
      .values({ access_key_id: r.accessKeyId, client_id: r.clientId, ciphertext: r.ciphertext, created_at: r.createdAtMs, revoked_at: r.revokedAtMs ?? null })
      .execute();
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const r = await this.db.selectFrom('access_keys').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
    return r && toAccessKey(r);
  }

  async insertApiKey(r: ApiKeyRecord): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({
        key_id: r.keyId,
        client_id: r.clientId,
        name: r.name,
        hash: r.hash,
        created_at: r.createdAtMs,
        expires_at: r.expiresAtMs ?? null,
        revoked_at: r.revokedAtMs ?? null,
      })
      .execute();
  }

  async getApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
    return r && toApiKey(r);
  }

  async revokeApiKey(keyId: string, atMs: number): Promise<boolean> {
    const res = await this.db.updateTable('api_keys').set({ revoked_at: atMs }).where('key_id', '=', keyId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async listAccessKeys(clientId: string): Promise<AccessKeyRecord[]> {
    return (await this.db.selectFrom('access_keys').selectAll().where('client_id', '=', clientId).orderBy('created_at').orderBy('access_key_id').execute()).map(
      toAccessKey,
    );
  }

  async revokeAccessKey(accessKeyId: string, atMs: number): Promise<boolean> {
    const res = await this.db
      .updateTable('access_keys')
      .set({ revoked_at: atMs })
      .where('access_key_id', '=', accessKeyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async listApiKeys(clientId: string): Promise<ApiKeyRecord[]> {
    return (await this.db.selectFrom('api_keys').selectAll().where('client_id', '=', clientId).orderBy('created_at').orderBy('key_id').execute()).map(toApiKey);
  }

  async getPrincipal(clientId: string): Promise<ServicePrincipal | undefined> {
    const r = await this.db.selectFrom('service_principals').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return r && toPrincipal(r);
  }

  async insertPrincipal(p: ServicePrincipal): Promise<boolean> {
    const res = await this.db
      .insertInto('service_principals')
      .values({
        client_id: p.clientId,
        name: p.name,
        tenant: p.tenant,
        secret_hash: p.secretHash,
        secret_version: p.secretVersion,
        roles: JSON.stringify(p.roles),
        delegation: JSON.stringify(p.delegation),
        disabled: p.disabled ? 1 : 0,
        created_at: p.createdAtMs,
      })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async updatePrincipalSecret(clientId: string, secretHash: string, secretVersion: number): Promise<void> {
    await this.db.updateTable('service_principals').set({ secret_hash: secretHash, secret_version: secretVersion }).where('client_id', '=', clientId).execute();
  }

  async replacePrincipalSecretHash(clientId: string, expected: string, secretHash: string): Promise<boolean> {
    const res = await this.db
      .updateTable('service_principals')
      .set({ secret_hash: secretHash })
      .where('client_id', '=', clientId)
      .where('secret_hash', '=', expected)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async setDelegation(clientId: string, delegation: ServicePrincipal['delegation']): Promise<void> {
    await this.db
      .updateTable('service_principals')
      .set({ delegation: JSON.stringify(delegation) })
      .where('client_id', '=', clientId)
      .execute();
  }

  async setPrincipalDisabled(clientId: string, disabled: boolean, tokensValidAfterMs?: number): Promise<void> {
    await this.db
      .updateTable('service_principals')
      .set({ disabled: disabled ? 1 : 0, ...(tokensValidAfterMs === undefined ? {} : { tokens_valid_after: tokensValidAfterMs }) })
      .where('client_id', '=', clientId)
      .execute();
  }

  async setTokensValidAfter(clientId: string, atMs: number): Promise<void> {
    await this.db.updateTable('service_principals').set({ tokens_valid_after: atMs }).where('client_id', '=', clientId).execute();
  }

  async getTokenSession(sid: string): Promise<TokenSessionRecord | undefined> {
    const r = await this.db.selectFrom('token_sessions').selectAll().where('sid', '=', sid).executeTakeFirst();
    return r && toSession(r);
  }

  async revokeTokenSession(k: TokenSessionKey, atMs: number, reason: string): Promise<void> {
    await this.db
      .insertInto('token_sessions')
      .values({
        sid: k.sid,
        client_id: k.clientId,
        tenant: k.tenant,
        refresh_generation: 0,
        revoked_at: atMs,
        revoked_reason: reason,
        expires_at: k.expiresAtMs,
        created_at: atMs,
      })
      .onConflict((oc) => oc.column('sid').doNothing())
      .execute();
    // The row may have existed (rotation state): revoke it, keeping the first revocation's time and reason.
    await this.db
      .updateTable('token_sessions')
      .set({ revoked_at: atMs, revoked_reason: reason })
      .where('sid', '=', k.sid)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async advanceRefreshGeneration(k: TokenSessionKey, from: number, atMs: number): Promise<boolean> {
    const moved = await this.db
      .updateTable('token_sessions')
      .set({ refresh_generation: from + 1 })
      .where('sid', '=', k.sid)
      .where('refresh_generation', '=', from)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 1) return true;
    if (from !== 0) return false;
    // The session's first rotation writes its row; of two concurrent first uses only one insert wins.
    const inserted = await this.db
      .insertInto('token_sessions')
      .values({
        sid: k.sid,
        client_id: k.clientId,
        tenant: k.tenant,
        refresh_generation: 1,
        revoked_at: null,
        revoked_reason: null,
        expires_at: k.expiresAtMs,
        created_at: atMs,
      })
      .onConflict((oc) => oc.column('sid').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async deleteEndedTokenSessions(atMs: number): Promise<number> {
    const res = await this.db.deleteFrom('token_sessions').where('expires_at', '<', atMs).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async listPrincipals(): Promise<ServicePrincipal[]> {
    return (await this.db.selectFrom('service_principals').selectAll().orderBy('client_id').execute()).map(toPrincipal);
  }

  async insertAudit(events: AuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({
      id: e.id,
      at: e.atMs,
      type: e.type,
      actor: e.actor,
      detail: JSON.stringify(e.detail),
      tenant: e.tenant,
      decision: e.decision ?? null,
      action: e.action ?? null,
      object: e.object ?? null,
      request_id: e.requestId ?? null,
    }));
    // A batch lands whole or not at all, in one transaction: one commit (on SQLite one fsync, which better-sqlite3
    // waits for on the event loop) per batch, not one per 100 rows (statements stay at 100 rows: SQLite's bound on
    // parameters). Inside a caller's transaction, in that one.
    const write = async (db: Kysely<CatalogDatabase>) => {
      for (let i = 0; i < rows.length; i += AUDIT_ROWS_PER_STATEMENT)
        await db
          .insertInto('audit_events')
          .values(rows.slice(i, i + AUDIT_ROWS_PER_STATEMENT))
          .execute();
    };
    if (rows.length <= AUDIT_ROWS_PER_STATEMENT || this.db.isTransaction) await write(this.db);
    else await this.db.transaction().execute(write);
  }

  async listAudit(q: AuditQuery): Promise<AuditEvent[]> {
    let query = this.db.selectFrom('audit_events').selectAll();
    if (q.tenant !== undefined) query = query.where('tenant', '=', q.tenant);
    if (q.type !== undefined) query = query.where('type', '=', q.type);
    if (q.decision !== undefined) query = query.where('decision', '=', q.decision);
    if (q.action !== undefined)
      query = q.action.endsWith(':') || q.action.endsWith('.') ? query.where(startsWith('action', q.action)) : query.where('action', '=', q.action);
    if (q.actor !== undefined) query = query.where(contains('actor', q.actor));
    if (q.object !== undefined) query = query.where(contains('object', q.object));
    if (q.sinceMs !== undefined) query = query.where('at', '>=', q.sinceMs);
    if (q.untilMs !== undefined) query = query.where('at', '<', q.untilMs);
    if (q.before !== undefined) {
      const { atMs, id } = q.before;
      query = query.where((eb) => eb.or([eb('at', '<', atMs), eb.and([eb('at', '=', atMs), eb('id', '<', id)])]));
    }
    const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      atMs: num(r.at),
      type: r.type,
      actor: r.actor,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
      tenant: r.tenant,
      ...(r.decision === 'allow' || r.decision === 'deny' ? { decision: r.decision } : {}),
      ...(r.action !== null ? { action: r.action } : {}),
      ...(r.object !== null ? { object: r.object } : {}),
      ...(r.request_id !== null ? { requestId: r.request_id } : {}),
    }));
  }

  async deleteAuditBefore(atMs: number): Promise<number> {
    const res = await this.db.deleteFrom('audit_events').where('at', '<', atMs).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}

import type { Kysely, Selectable } from 'kysely';
import type { AccessKeyRecord, ApiKeyRecord, AuditEvent, IdentityRepository, ServicePrincipal } from '../auth/ports.js';
import type { CatalogDatabase, ServicePrincipalsTable } from './schema.js';

const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

const toPrincipal = (r: Selectable<ServicePrincipalsTable>): ServicePrincipal => ({
  clientId: r.client_id,
  name: r.name,
  tenant: r.tenant,
  secretHash: r.secret_hash,
  secretVersion: r.secret_version,
  roles: JSON.parse(r.roles) as string[],
  delegation: JSON.parse(r.delegation) as ServicePrincipal['delegation'],
  disabled: r.disabled === 1,
  createdAtMs: num(r.created_at),
});

export class KyselyIdentityRepository implements IdentityRepository {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async insertAccessKey(r: AccessKeyRecord): Promise<void> {
    await this.db.insertInto('access_keys').values({ access_key_id: r.accessKeyId, client_id: r.clientId, ciphertext: r.ciphertext, created_at: r.createdAtMs, revoked_at: r.revokedAtMs ?? null }).execute();
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const r = await this.db.selectFrom('access_keys').selectAll().where('access_key_id', '=', accessKeyId).executeTakeFirst();
    return r && { accessKeyId: r.access_key_id, clientId: r.client_id, ciphertext: r.ciphertext, createdAtMs: num(r.created_at), revokedAtMs: r.revoked_at === null ? undefined : num(r.revoked_at) };
  }

  async insertApiKey(r: ApiKeyRecord): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({ key_id: r.keyId, client_id: r.clientId, name: r.name, hash: r.hash, created_at: r.createdAtMs, expires_at: r.expiresAtMs ?? null, revoked_at: r.revokedAtMs ?? null })
      .execute();
  }

  async getApiKey(keyId: string): Promise<ApiKeyRecord | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('key_id', '=', keyId).executeTakeFirst();
    return (
      r && {
        keyId: r.key_id,
        clientId: r.client_id,
        name: r.name,
        hash: r.hash,
        createdAtMs: num(r.created_at),
        expiresAtMs: r.expires_at === null ? undefined : num(r.expires_at),
        revokedAtMs: r.revoked_at === null ? undefined : num(r.revoked_at),
      }
    );
  }

  async revokeApiKey(keyId: string, atMs: number): Promise<boolean> {
    const res = await this.db.updateTable('api_keys').set({ revoked_at: atMs }).where('key_id', '=', keyId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
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

  async setDelegation(clientId: string, delegation: ServicePrincipal['delegation']): Promise<void> {
    await this.db.updateTable('service_principals').set({ delegation: JSON.stringify(delegation) }).where('client_id', '=', clientId).execute();
  }

  async listPrincipals(): Promise<ServicePrincipal[]> {
    return (await this.db.selectFrom('service_principals').selectAll().orderBy('client_id').execute()).map(toPrincipal);
  }

  async insertAudit(e: AuditEvent): Promise<void> {
    await this.db.insertInto('audit_events').values({ id: e.id, at: e.atMs, type: e.type, actor: e.actor, detail: JSON.stringify(e.detail) }).execute();
  }

  async listAudit(limit: number): Promise<AuditEvent[]> {
    const rows = await this.db.selectFrom('audit_events').selectAll().orderBy('at', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: r.id, atMs: num(r.at), type: r.type, actor: r.actor, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}

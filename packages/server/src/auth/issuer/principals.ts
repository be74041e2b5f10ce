/** Service principals: the catalog's OAuth clients. */
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TENANT, checkTenant } from '../../catalog/tenants.js';
import { type DelegationPolicyInput, delegationPolicy } from '../delegation-policy.js';
import type { IdentityRepository, ServicePrincipal } from '../ports.js';
import type { OutboxWriter } from '../../catalog/ports/outbox.js';
import { DUMMY_HASH, hashSecret, isLegacyHash, newClientSecret, verifySecret } from './client-secrets.js';

export const ADMIN_ROLE = 'admin';

/** A client secret with its hash, made before a transaction (PrincipalService.newSecret). */
export interface PreparedSecret {
  clientSecret: string;
  secretHash: string;
}

export class PrincipalService {
  constructor(
    private readonly repo: IdentityRepository,
    private readonly now: () => number,
    /** Called after every change of a principal, so this process stops using what it cached (auth/token-state.ts). */
    private readonly changed: () => void = () => undefined,
  ) {}

  /**
   * Runs fn on this service bound to one database transaction, with the outbox of that transaction: the principal's
   * change and its tenant event commit together. This process forgets what it cached only after the commit.
   */
  async withEvents<T>(fn: (principals: PrincipalService, outbox: OutboxWriter) => Promise<T>): Promise<T> {
    let changed = false;
    const result = await this.repo.withEvents((repo, outbox) => fn(new PrincipalService(repo, this.now, () => (changed = true)), outbox));
    if (changed) this.changed();
    return result;
  }

  /** A new client secret and its hash (client-secrets.ts). */
  async newSecret(): Promise<PreparedSecret> {
    const clientSecret = newClientSecret();
    return { clientSecret, secretHash: hashSecret(clientSecret) };
  }

  /** Creates a principal; the returned secret is the only copy that will ever exist. */
  async create(
    name: string,
    roles: string[] = [],
    delegation: DelegationPolicyInput = {},
    tenant: string = DEFAULT_TENANT,
    prepared?: PreparedSecret,
  ): Promise<{ clientId: string; clientSecret: string }> {
    checkTenant(tenant);
    const clientId = `${name.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 40)}-${randomUUID().slice(0, 8)}`;
    const { clientSecret, secretHash } = prepared ?? (await this.newSecret());
    await this.repo.insertPrincipal({
      clientId,
      name,
      tenant,
      secretHash,
      secretVersion: 1,
      roles,
      delegation: delegationPolicy(delegation),
      disabled: false,
      createdAtMs: this.now(),
    });
    return { clientId, clientSecret };
  }

  async rotateSecret(clientId: string, prepared?: PreparedSecret): Promise<string | undefined> {
    const p = await this.repo.getPrincipal(clientId);
    if (!p) return undefined;
    const { clientSecret, secretHash } = prepared ?? (await this.newSecret());
    await this.repo.updatePrincipalSecret(clientId, secretHash, p.secretVersion + 1);
    this.changed();
    return clientSecret;
  }

  get(clientId: string): Promise<ServicePrincipal | undefined> {
    return this.repo.getPrincipal(clientId);
  }

  /** Every principal, or only those of one tenant. */
  async list(tenant?: string): Promise<ServicePrincipal[]> {
    const all = await this.repo.listPrincipals();
    return tenant === undefined ? all : all.filter((p) => p.tenant === tenant);
  }

  async setDelegation(clientId: string, delegation: DelegationPolicyInput): Promise<void> {
    await this.repo.setDelegation(clientId, delegationPolicy(delegation));
    this.changed();
  }

  /**
   * Disables a principal (every credential and token of it, and every token an engine holds through it, is refused
   * from its next use) or enables it again. Disabling also revokes every token issued so far, so re-enabling never
   * revives a token that leaked meanwhile.
   */
  async setDisabled(clientId: string, disabled: boolean): Promise<void> {
    await this.repo.setPrincipalDisabled(clientId, disabled, disabled ? this.revocationInstant() : undefined);
    this.changed();
  }

  /** Revokes every token issued to (or through) the principal until now; its credentials keep working. */
  async revokeTokens(clientId: string): Promise<void> {
    await this.repo.setTokensValidAfter(clientId, this.revocationInstant());
    this.changed();
  }

  /**
   * Tokens carry their issuance in whole seconds (`iat`), so a revocation covers the tokens issued before the
   * second it happens in; a token issued within that same second, before or after it, stays valid.
   */
  private revocationInstant(): number {
    return Math.floor(this.now() / 1000) * 1000;
  }

  /**
   * The principal when the secret matches; unknown ids cost the same hashing time as known ones. A secret stored as a
   * scrypt hash (before 2026-11-28) is stored again as its SHA-256 once it matched, only if no rotation replaced it
   * meanwhile (compare-and-set), so that principal's next uses cost what everyone's do.
   */
  async authenticate(clientId: string, secret: string): Promise<ServicePrincipal | undefined> {
    const p = await this.repo.getPrincipal(clientId);
    const ok = await verifySecret(secret, p?.secretHash ?? DUMMY_HASH);
    if (ok && p && isLegacyHash(p.secretHash) && (await this.repo.replacePrincipalSecretHash(clientId, p.secretHash, hashSecret(secret)))) this.changed();
    return ok && p && !p.disabled ? p : undefined;
  }

  /**
   * First start: when no principal exists yet, create an admin and write its
   * credentials to <data-dir>/admin-credentials.json (mode 0600). There is
   * no default password anywhere.
   */
  async bootstrapAdmin(dataDir: string, tokenEndpoint: string): Promise<string | undefined> {
    if ((await this.repo.listPrincipals()).length > 0) return undefined;
    const file = path.join(dataDir, 'admin-credentials.json');
    if (existsSync(file)) return undefined;
    const { clientId, clientSecret } = await this.create('lakegate-admin', [ADMIN_ROLE]);
    writeFileSync(
      file,
      `${JSON.stringify({ client_id: clientId, client_secret: clientSecret, credential: `${clientId}:${clientSecret}`, token_endpoint: tokenEndpoint }, null, 2)}\n`,
      { mode: 0o600, flag: 'wx' },
    );
    return file;
  }
}

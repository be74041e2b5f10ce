/** Service principals: the catalog's OAuth clients. */
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TENANT, checkTenant } from '../../catalog/tenants.js';
import type { DelegationPolicy, IdentityRepository, ServicePrincipal } from '../ports.js';
import { DUMMY_HASH, hashSecret, newClientSecret, verifySecret } from './client-secrets.js';

export const ADMIN_ROLE = 'admin';
const NO_DELEGATION: DelegationPolicy = { users: [], groups: [], assertIdentity: false };

export class PrincipalService {
  constructor(
    private readonly repo: IdentityRepository,
    private readonly now: () => number,
  ) {}

  /** Creates a principal; the returned secret is the only copy that will ever exist. */
  async create(name: string, roles: string[] = [], delegation: DelegationPolicy = NO_DELEGATION, tenant: string = DEFAULT_TENANT): Promise<{ clientId: string; clientSecret: string }> {
    checkTenant(tenant);
    const clientId = `${name.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 40)}-${randomUUID().slice(0, 8)}`;
    const clientSecret = newClientSecret();
    await this.repo.insertPrincipal({
      clientId,
      name,
      tenant,
      secretHash: await hashSecret(clientSecret),
      secretVersion: 1,
      roles,
      delegation,
      disabled: false,
      createdAtMs: this.now(),
    });
    return { clientId, clientSecret };
  }

  async rotateSecret(clientId: string): Promise<string | undefined> {
    const p = await this.repo.getPrincipal(clientId);
    if (!p) return undefined;
    const clientSecret = newClientSecret();
    await this.repo.updatePrincipalSecret(clientId, await hashSecret(clientSecret), p.secretVersion + 1);
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

  setDelegation(clientId: string, delegation: DelegationPolicy): Promise<void> {
    return this.repo.setDelegation(clientId, delegation);
  }

  /** The principal when the secret matches; unknown ids cost the same hashing time as known ones. */
  async authenticate(clientId: string, secret: string): Promise<ServicePrincipal | undefined> {
    const p = await this.repo.getPrincipal(clientId);
    const ok = await verifySecret(secret, p?.secretHash ?? DUMMY_HASH);
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
    writeFileSync(file, `${JSON.stringify({ client_id: clientId, client_secret: clientSecret, credential: `${clientId}:${clientSecret}`, token_endpoint: tokenEndpoint }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return file;
  }
}

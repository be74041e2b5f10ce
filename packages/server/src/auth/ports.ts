/** What the identity layer needs from persistence. */

export interface DelegationPolicy {
  /** User subjects (the `sub` of a subject token) this principal may act for. */
  users: string[];
  /** Groups: may act for any user whose token lists one of these groups. */
  groups: string[];
  /**
   * May assert identities with an unsigned subject token (Trino's USER
   * session mode). Off unless an operator turns it on for one engine: such
   * a principal can impersonate anyone its delegation lists.
   */
  assertIdentity: boolean;
}

export interface ServicePrincipal {
  clientId: string;
  name: string;
  /** Every token, access key and API key of this principal acts in this tenant only. */
  tenant: string;
  /** scrypt hash of the client secret; the secret itself is shown once and never stored. */
  secretHash: string;
  secretVersion: number;
  roles: string[];
  delegation: DelegationPolicy;
  disabled: boolean;
  createdAtMs: number;
}

export interface AuditEvent {
  id: string;
  atMs: number;
  type: string;
  /** Who did it, e.g. "service:lakegate-admin" or "user:alice via service:trino". */
  actor: string;
  detail: Record<string, unknown>;
  /** The tenant the event belongs to; events from before tenants were recorded belong to "default". */
  tenant: string;
  decision?: 'allow' | 'deny' | undefined;
  action?: string | undefined;
  object?: string | undefined;
  requestId?: string | undefined;
}

/** Which audit events to list: all conditions must hold; newest first. */
export interface AuditQuery {
  /** undefined: every tenant (platform administrators). */
  tenant?: string | undefined;
  /** Substring of the actor description (so "alice" finds "user:alice via service:spark"). */
  actor?: string | undefined;
  /** Substring of the object, e.g. "sales.orders". */
  object?: string | undefined;
  /** Exact action, or a prefix ending in ":" / "." (e.g. "table:"). */
  action?: string | undefined;
  type?: string | undefined;
  decision?: 'allow' | 'deny' | undefined;
  sinceMs?: number | undefined;
  untilMs?: number | undefined;
  /** Keyset paging: events strictly older than this (atMs, id). */
  before?: { atMs: number; id: string } | undefined;
  limit: number;
}

export interface AccessKeyRecord {
  accessKeyId: string;
  clientId: string;
  /** The secret access key sealed with the SecretBox. */
  ciphertext: string;
  createdAtMs: number;
  revokedAtMs?: number | undefined;
}

export interface ApiKeyRecord {
  keyId: string;
  clientId: string;
  name: string;
  /** sha256 of the key's secret part (256 random bits: a slow hash adds nothing). */
  hash: string;
  createdAtMs: number;
  expiresAtMs?: number | undefined;
  revokedAtMs?: number | undefined;
}

export interface IdentityRepository {
  insertAccessKey(record: AccessKeyRecord): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  insertApiKey(record: ApiKeyRecord): Promise<void>;
  getApiKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  revokeApiKey(keyId: string, atMs: number): Promise<boolean>;
  getPrincipal(clientId: string): Promise<ServicePrincipal | undefined>;
  /** Returns false when the client id exists already. */
  insertPrincipal(principal: ServicePrincipal): Promise<boolean>;
  updatePrincipalSecret(clientId: string, secretHash: string, secretVersion: number): Promise<void>;
  setDelegation(clientId: string, delegation: DelegationPolicy): Promise<void>;
  listPrincipals(): Promise<ServicePrincipal[]>;
  /** Stores a batch of events in one transaction. */
  insertAudit(events: AuditEvent[]): Promise<void>;
  listAudit(query: AuditQuery): Promise<AuditEvent[]>;
  /** Deletes events older than the given time; returns how many. */
  deleteAuditBefore(atMs: number): Promise<number>;
}

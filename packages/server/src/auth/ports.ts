/** What the identity layer needs from persistence. */
import type { WithEvents } from '../catalog/ports/outbox.js';

/**
 * One entry of a delegation policy: a user (or group) named together with the
 * issuer that vouches for it, so two IdPs' "alice" never collide. The issuer
 * is a trusted IdP's issuer URL, or ASSERTED_ISSUER for names an engine
 * asserts. An entry without an issuer (a bare name, as policies were stored
 * before issuers were recorded) matches only names an engine asserts and
 * Lakegate's own service principals (by client id), never a user of an IdP;
 * a bare group matches nothing (auth/delegation-policy.ts).
 */
export interface DelegationEntry {
  issuer?: string | undefined;
  name: string;
}

export interface DelegationPolicy {
  /** Subjects this principal may act for; `name: "*"` stands for every (verified, never asserted) subject of the issuer. */
  users: DelegationEntry[];
  /** Groups: may act for any user whose token lists one of these groups of that issuer. */
  groups: DelegationEntry[];
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
  /** Tokens issued to (or through) this principal before this instant are refused (set on disable, or on demand). */
  tokensValidAfterMs?: number | undefined;
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

/**
 * Where the audit trail's batches are written (auth/audit.ts): the identity repository's insertAudit, or on SQLite
 * the audit thread (compose/audit-thread.ts), which writes them off the request thread. Either stores a batch whole
 * or not at all, and resolves once it is durable.
 */
export interface AuditWriter {
  insertAudit(events: AuditEvent[]): Promise<void>;
  /**
   * True when batches are stored in the order they were handed over and each resolves after the ones before it: the
   * trail then hands a batch over at once instead of waiting for the previous one (the writer may commit several
   * together). Unset: the trail writes one batch after the other.
   */
  readonly ordered?: boolean;
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

/** The stored state of a token session (all tokens renewed from one authentication share its `sid`). */
export interface TokenSessionRecord {
  sid: string;
  /** The principal the session's tokens were issued to (for a delegated session: the acting engine). */
  clientId: string;
  tenant: string;
  /** How many times its refresh token was rotated. */
  refreshGeneration: number;
  revokedAtMs?: number | undefined;
  revokedReason?: string | undefined;
  /** The session ends anyway at this instant (start + maximum session lifetime). */
  expiresAtMs: number;
}

/** What identifies a session when its state row is first written. */
export interface TokenSessionKey {
  sid: string;
  clientId: string;
  tenant: string;
  expiresAtMs: number;
}

/** withEvents: fn's changes and the tenant events it appends (catalog/outbox/tenant-events.ts) in one database transaction. */
export interface IdentityRepository extends WithEvents<IdentityRepository> {
  insertAccessKey(record: AccessKeyRecord): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  insertApiKey(record: ApiKeyRecord): Promise<void>;
  getApiKey(keyId: string): Promise<ApiKeyRecord | undefined>;
  revokeApiKey(keyId: string, atMs: number): Promise<boolean>;
  /** A principal's access keys (revoked ones too), oldest first. */
  listAccessKeys(clientId: string): Promise<AccessKeyRecord[]>;
  /** Returns false when the key is unknown or revoked already. */
  revokeAccessKey(accessKeyId: string, atMs: number): Promise<boolean>;
  /** A principal's API keys (revoked and expired ones too), oldest first. */
  listApiKeys(clientId: string): Promise<ApiKeyRecord[]>;
  getPrincipal(clientId: string): Promise<ServicePrincipal | undefined>;
  /** Returns false when the client id exists already. */
  insertPrincipal(principal: ServicePrincipal): Promise<boolean>;
  updatePrincipalSecret(clientId: string, secretHash: string, secretVersion: number): Promise<void>;
  /** Stores another hash of the same secret, only while the stored one is `expected`; false when it no longer is. */
  replacePrincipalSecretHash(clientId: string, expected: string, secretHash: string): Promise<boolean>;
  setDelegation(clientId: string, delegation: DelegationPolicy): Promise<void>;
  /** Disables or enables a principal; `tokensValidAfterMs` (if given) also refuses every token issued before it. */
  setPrincipalDisabled(clientId: string, disabled: boolean, tokensValidAfterMs?: number): Promise<void>;
  /** Refuses every token of the principal issued before this instant. */
  setTokensValidAfter(clientId: string, atMs: number): Promise<void>;
  getTokenSession(sid: string): Promise<TokenSessionRecord | undefined>;
  /** Marks the session revoked (writing its row if it has none yet); a revoked session stays revoked. */
  revokeTokenSession(session: TokenSessionKey, atMs: number, reason: string): Promise<void>;
  /**
   * Rotation: moves the session's refresh token from generation `from` to `from + 1` in one compare-and-swap.
   * False when the generation moved on already (the refresh token was used before: a reuse) or the session is revoked.
   */
  advanceRefreshGeneration(session: TokenSessionKey, from: number, atMs: number): Promise<boolean>;
  /** Deletes the rows of sessions that ended before this instant; returns how many. */
  deleteEndedTokenSessions(atMs: number): Promise<number>;
  listPrincipals(): Promise<ServicePrincipal[]>;
  /** Stores a batch of events in one transaction. */
  insertAudit(events: AuditEvent[]): Promise<void>;
  listAudit(query: AuditQuery): Promise<AuditEvent[]>;
  /** Deletes events older than the given time; returns how many. */
  deleteAuditBefore(atMs: number): Promise<number>;
}

/**
 * The shapes of Lakegate's management API (`/management/v1`) as the server sends and reads them: kebab-case keys
 * where the server writes them so (`client-id`, `created-at-ms`), camelCase in audit events (stored records).
 */

/**
 * Every privilege of Lakegate's access model (the server's `catalog/access/privileges.ts`).
 *
 * @example
 * ```ts
 * const readable = PRIVILEGES.filter((p) => p.endsWith(':read-data'));
 * ```
 */
export const PRIVILEGES = [
  'warehouse:manage',
  'grants:manage',
  'namespace:create',
  'namespace:list',
  'namespace:drop',
  'namespace:update-properties',
  'table:create',
  'table:list',
  'table:read-metadata',
  'table:read-data',
  'table:write-data',
  'table:drop',
  'view:create',
  'view:list',
  'view:read',
  'view:replace',
  'view:drop',
] as const;

/**
 * A privilege, e.g. `table:read-data`. Privileges on objects granted on a container cover every such object in it.
 *
 * @example
 * ```ts
 * const reader: Privilege[] = ['namespace:list', 'table:list', 'table:read-data'];
 * ```
 */
export type Privilege = (typeof PRIVILEGES)[number];

/**
 * What a grant is on: a warehouse, a namespace (its levels), or a table or view in a namespace.
 *
 * @example
 * ```ts
 * const sales: Securable = { type: 'namespace', warehouse: 'lake', namespace: ['sales'] };
 * const orders: Securable = { type: 'table', warehouse: 'lake', namespace: ['sales'], name: 'orders' };
 * ```
 */
export type Securable =
  | { type: 'warehouse'; warehouse: string }
  | { type: 'namespace'; warehouse: string; namespace: string[] }
  | { type: 'table' | 'view'; warehouse: string; namespace: string[]; name: string };

/**
 * Who holds a role: a service principal (by client id), or a user or group of a trusted issuer (by name, with the
 * issuer's URL, or `asserted` for names an engine asserts).
 *
 * @example
 * ```ts
 * const engine: Member = { kind: 'principal', name: clientId };
 * const analysts: Member = { kind: 'group', issuer: 'https://idp.example.com/realms/lake', name: 'analysts' };
 * ```
 */
export type Member = { kind: 'principal'; name: string } | { kind: 'user' | 'group'; name: string; issuer: string };

/**
 * Options most management calls take: the tenant to manage (platform administrators only, for another tenant than
 * their own) and an abort signal.
 *
 * @example
 * ```ts
 * const roles = await management.listRoles({ tenant: 'acme' });
 * ```
 */
export interface ManagementRequestOptions {
  tenant?: string;
  signal?: AbortSignal;
}

// ------------------------------------------------------------------ principals and their keys

/**
 * Whom a service principal may act for (RFC 8693 delegation), and whether it may assert users' identities itself.
 *
 * @example
 * ```ts
 * const policy: DelegationPolicy = { users: ['alice'], groups: ['analysts'], 'assert-identity': false };
 * ```
 */
export interface DelegationPolicy {
  users: string[];
  groups: string[];
  'assert-identity': boolean;
}

/**
 * A service principal as the API shows it (never its secret).
 *
 * @example
 * ```ts
 * const admins = (await management.listPrincipals()).filter((p: Principal) => p.roles.includes('admin'));
 * ```
 */
export interface Principal {
  'client-id': string;
  name: string;
  tenant: string;
  roles: string[];
  delegation: DelegationPolicy;
  disabled: boolean;
  'created-at-ms': number;
}

/**
 * A new service principal. `roles: ['admin']` makes it an administrator of its tenant.
 *
 * @example
 * ```ts
 * const request: CreatePrincipalRequest = { name: 'trino', delegation: { users: ['alice'] } };
 * ```
 */
export interface CreatePrincipalRequest {
  name: string;
  tenant?: string;
  roles?: Array<'admin'>;
  delegation?: Partial<DelegationPolicy>;
}

/**
 * A client id and its secret, shown once (at creation or rotation).
 *
 * @example
 * ```ts
 * const { 'client-id': id, 'client-secret': secret }: PrincipalSecret = await management.rotatePrincipalSecret(id);
 * const catalog = new IcebergRestCatalog({ uri, properties: { credential: `${id}:${secret}` } });
 * ```
 */
export interface PrincipalSecret {
  'client-id': string;
  'client-secret': string;
}

/**
 * A created principal: its credential (shown once) and its tenant.
 *
 * @example
 * ```ts
 * const created: CreatedPrincipal = await management.createPrincipal({ name: 'spark-etl' });
 * ```
 */
export interface CreatedPrincipal extends PrincipalSecret {
  tenant: string;
}

/**
 * A principal's SigV4 access key (the secret shown once).
 *
 * @example
 * ```ts
 * const key: AccessKey = await management.createAccessKey(clientId);
 * const catalog = new IcebergRestCatalog({ uri, auth: sigv4Auth({ credentials: { accessKeyId: key['access-key-id'], secretAccessKey: key['secret-access-key'] } }) });
 * ```
 */
export interface AccessKey {
  'access-key-id': string;
  'secret-access-key': string;
}

/**
 * A new API key.
 *
 * @example
 * ```ts
 * const request: CreateApiKeyRequest = { name: 'dashboard', 'expires-in-seconds': 86_400 };
 * ```
 */
export interface CreateApiKeyRequest {
  name: string;
  /** 60 s to 366 days; no expiry when omitted. */
  'expires-in-seconds'?: number;
}

/**
 * A created API key (the key shown once), sent as `x-api-key`.
 *
 * @example
 * ```ts
 * const { 'key-id': keyId, 'api-key': key }: ApiKey = await management.createApiKey(clientId, { name: 'dashboard' });
 * await management.revokeApiKey(keyId);
 * ```
 */
export interface ApiKey {
  'key-id': string;
  'api-key': string;
  'expires-at-ms': number | null;
}

// ------------------------------------------------------------------ warehouses

/**
 * A warehouse as the API shows it: never the storage secret, only whether one is stored.
 *
 * @example
 * ```ts
 * for (const w of await management.listWarehouses()) console.log(w.name, w['storage-root'], w['has-storage-secret']);
 * ```
 */
export interface Warehouse {
  name: string;
  tenant: string;
  'storage-root': string;
  'storage-profile': { type: string; [key: string]: unknown };
  'has-storage-secret': boolean;
  properties: Record<string, string>;
}

/**
 * A new warehouse: its root, its storage profile (e.g. `{type: 's3', region, 'role-arn'}`) and the profile's secret,
 * which the server stores encrypted and never shows again.
 *
 * @example
 * ```ts
 * const request: CreateWarehouseRequest = { name: 'lake', 'storage-root': 'file:///data/lake', 'storage-profile': { type: 'file' } };
 * ```
 */
export interface CreateWarehouseRequest {
  name: string;
  tenant?: string;
  'storage-root': string;
  'storage-profile': { type: string; [key: string]: unknown };
  'storage-secret'?: Record<string, unknown>;
  properties?: Record<string, string>;
}

/**
 * An Iceberg metrics report a client posted for a table.
 *
 * @example
 * ```ts
 * const scans = (await management.listMetricsReports('lake', { namespace: ['sales'], name: 'orders' })).filter((r: MetricsReport) => r['report-type'] === 'scan-report');
 * ```
 */
export interface MetricsReport {
  id: string;
  'report-type': string;
  'created-at-ms': number;
  report: unknown;
}

// ------------------------------------------------------------------ roles and grants

/**
 * A role. Every tenant has the built-in `admin` role.
 *
 * @example
 * ```ts
 * const role: Role = await management.createRole({ name: 'analyst', description: 'reads sales' });
 * ```
 */
export interface Role {
  tenant: string;
  name: string;
  description: string;
  'created-at-ms': number;
}

/**
 * A new role.
 *
 * @example
 * ```ts
 * const request: CreateRoleRequest = { name: 'analyst', description: 'reads sales' };
 * ```
 */
export interface CreateRoleRequest {
  name: string;
  description?: string;
  tenant?: string;
}

/**
 * A role with who holds it and what it holds.
 *
 * @example
 * ```ts
 * const { members, grants }: RoleDetails = await management.getRole('analyst');
 * ```
 */
export interface RoleDetails {
  role: Role;
  members: Member[];
  grants: Grant[];
}

/**
 * One privilege a role holds on a securable.
 *
 * @example
 * ```ts
 * const onSales = (await management.listGrants({ role: 'analyst' })).filter((g: Grant) => g.securable.type === 'namespace');
 * ```
 */
export interface Grant {
  role: string;
  privilege: Privilege;
  securable: Securable;
  'created-at-ms': number;
}

/**
 * A grant or revoke: privileges of a role on a securable.
 *
 * @example
 * ```ts
 * const request: GrantRequest = { role: 'analyst', privileges: ['table:read-data'], securable: { type: 'namespace', warehouse: 'lake', namespace: ['sales'] } };
 * await management.grant(request);
 * ```
 */
export interface GrantRequest {
  role: string;
  privileges: Privilege[];
  securable: Securable;
  tenant?: string;
}

/**
 * Which grants to list: a role's, those on one securable (grant managers of it may ask), or both.
 *
 * @example
 * ```ts
 * const filter: GrantFilter = { securable: { type: 'warehouse', warehouse: 'lake' } };
 * ```
 */
export interface GrantFilter extends ManagementRequestOptions {
  role?: string;
  securable?: Securable;
}

/**
 * The subject of an explain: a principal, a user (with the groups its token would carry), or a group.
 *
 * @example
 * ```ts
 * const alice: ExplainSubject = { kind: 'user', issuer: 'https://idp.example.com/realms/lake', name: 'alice', groups: ['analysts'] };
 * ```
 */
export type ExplainSubject = Member & { groups?: string[] };

/**
 * "May this subject do this privilege on this securable?"
 *
 * @example
 * ```ts
 * const request: ExplainRequest = { subject: { kind: 'principal', name: clientId }, privilege: 'table:read-data', securable: orders };
 * ```
 */
export interface ExplainRequest {
  subject: ExplainSubject;
  privilege: Privilege;
  securable: Securable;
  tenant?: string;
}

/**
 * The answer of an explain: allowed or not, why (`admin`, `grant`, `none`), the grants that give it, and a sentence.
 *
 * @example
 * ```ts
 * const { allowed, summary }: Explanation = await management.explain(request);
 * console.log(summary); // "principal … can table:read-data on lake/sales.orders through role analyst granted table:read-data on namespace lake/sales"
 * ```
 */
export interface Explanation {
  allowed: boolean;
  reason: 'admin' | 'grant' | 'none';
  via: Array<{ role: string; privilege: Privilege; securable: Securable; member: Member }>;
  summary: string;
}

// ------------------------------------------------------------------ audit

/**
 * One event of the audit trail (never a secret): who did what to which object, allowed or denied, in which request.
 *
 * @example
 * ```ts
 * for await (const e of management.auditEvents({ decision: 'deny' })) console.log(new Date(e.atMs), e.actor, e.action, e.object);
 * ```
 */
export interface AuditEvent {
  id: string;
  atMs: number;
  type: string;
  /** Who did it, e.g. `service:lakegate-admin` or `user:alice via service:trino`. */
  actor: string;
  detail: Record<string, unknown>;
  tenant: string;
  decision?: 'allow' | 'deny';
  action?: string;
  object?: string;
  requestId?: string;
}

/**
 * Which audit events to read, newest first. Text filters: `actor` and `object` match a substring, `action` an exact
 * action or a prefix ending in `:` or `.`; times are Dates, epoch milliseconds or ISO 8601 text.
 *
 * @example
 * ```ts
 * const filter: AuditFilter = { object: 'sales.orders', decision: 'deny', since: new Date(Date.now() - 3_600_000) };
 * ```
 */
export interface AuditFilter {
  tenant?: string;
  actor?: string;
  object?: string;
  action?: string;
  type?: string;
  decision?: 'allow' | 'deny';
  since?: Date | number | string;
  until?: Date | number | string;
}

/**
 * One page of audit events and the cursor of the next (null on the last page).
 *
 * @example
 * ```ts
 * const first: AuditPage = await management.listAudit({ limit: 50 });
 * const second = first.next ? await management.listAudit({ limit: 50, before: first.next }) : undefined;
 * ```
 */
export interface AuditPage {
  events: AuditEvent[];
  next: string | null;
}

/**
 * Changing a federated warehouse's remote (PUT /management/v1/warehouses/{w}/federation): rotating its credential,
 * or new connection settings (the remote moved, a new client id, another timeout or freshness window). The same
 * checks as at creation (federation/settings.ts), then the connection test with exactly what would be stored: a
 * change that cannot reach the remote is a 400 and the warehouse keeps working as before. The kind cannot change (the
 * mirrored namespaces and tables, with the grants and policies on their ids, belong to that remote). Only a platform
 * administrator may do it, as only one may create a federated warehouse; a refusal is audited. Audited as
 * `warehouse.federation.updated` with the names of the settings that changed and whether the credential was
 * replaced or removed, never a value.
 */
import type { UpdateWarehouseFederationRequest } from '@lakegate/protocol';
import { CatalogError, type CatalogErrorCode } from '../../errors/catalog-error.js';
import { FederationInput, FederationSecretInput, checkFederation, federationView, testConnection } from '../federation/settings.js';
import type { AccessAudit, Caller, Warehouse } from '../ports/index.js';
import type { FederationSettings, RemoteCatalogs, RemoteCredential } from '../ports/remote-catalog.js';
import type { RemoteFailure, RemoteFailureStore } from '../ports/remote-failures.js';
import { RemoteHealth, remoteErrorView } from '../federation/remote-health.js';
import type { AccessAdmin } from './access-admin.js';
import { recordStorageDenied } from './storage-denied.js';
import type { WarehouseService } from './warehouses.js';

export interface FederationUpdateDeps {
  warehouses: WarehouseService;
  access: AccessAdmin;
  audit: AccessAudit;
  remotes: RemoteCatalogs | undefined;
  /** The remote failures every replica records (catalog/ports/remote-failures.ts); none: the status has no history. */
  failures?: RemoteFailureStore | undefined;
}

/** Failures the status answers at most, newest first. */
export const STATUS_FAILURES = 20;

/** A stored credential in the request's form, to check changed settings with it as if it were sent again. */
const secretInput = (c: RemoteCredential) => ({
  ...(c.clientSecret === undefined ? {} : { 'client-secret': c.clientSecret }),
  ...(c.token === undefined ? {} : { token: c.token }),
  ...(c.secretAccessKey === undefined ? {} : { 'secret-access-key': c.secretAccessKey }),
  ...(c.sessionToken === undefined ? {} : { 'session-token': c.sessionToken }),
  ...(c.tlsClientKey === undefined ? {} : { 'tls-client-key': c.tlsClientKey }),
  ...(c.password === undefined ? {} : { password: c.password }),
});

const issues = (what: string, error: { issues: { path: PropertyKey[]; message: string }[] }) =>
  new CatalogError('ERR_VALIDATION', `Invalid ${what}: ${error.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; ')}`);

export async function updateFederation(deps: FederationUpdateDeps, caller: Caller, name: string, input: UpdateWarehouseFederationRequest): Promise<Warehouse> {
  // validate (the shape was checked at the route; these are creation's own rules, which say more)
  const remove = input['remove-federation-secret'] === true;
  if (input.federation === undefined && input['federation-secret'] === undefined && !remove)
    throw new CatalogError('ERR_VALIDATION', 'Send federation, federation-secret or remove-federation-secret');
  if (remove && input['federation-secret'] !== undefined)
    throw new CatalogError(
      'ERR_VALIDATION',
      'federation-secret and remove-federation-secret: send one of them (a new credential replaces the stored one by itself)',
    );
  const settingsIn = input.federation === undefined ? undefined : FederationInput.safeParse(input.federation);
  if (settingsIn && !settingsIn.success) throw issues('federation', settingsIn.error);
  // Issue paths and messages only: zod's input echo could contain the secret.
  const secretIn = input['federation-secret'] === undefined ? undefined : FederationSecretInput.safeParse(input['federation-secret']);
  if (secretIn && !secretIn.success) throw issues('federation-secret', secretIn.error);
  // authorize: a warehouse of another tenant is answered as a missing one; then platform administrators only
  const { warehouses, access, audit } = deps;
  const warehouse = access.isPlatformAdmin(caller) ? await warehouses.lookup(name) : await warehouses.require(caller, name);
  await access.requireAdmin(caller, warehouse.tenant, "changing a warehouse's remote catalog");
  if (!access.isPlatformAdmin(caller)) {
    const reason = "only a platform administrator can change a federated warehouse's remote catalog";
    await recordStorageDenied(audit, caller, 'warehouse:update', { tenant: warehouse.tenant, name }, reason);
    throw new CatalogError('ERR_FORBIDDEN', reason);
  }
  const stored = warehouse.federation;
  if (stored === undefined) throw new CatalogError('ERR_VALIDATION', `Warehouse ${name} is not federated: it has no remote catalog to change`);
  if (!deps.remotes) throw new CatalogError('ERR_NOT_IMPLEMENTED', 'This server has no federation');
  const { 'has-secret': _hasSecret, ...storedInput } = federationView(stored);
  const next = settingsIn?.data ?? FederationInput.parse(storedInput);
  if (next.kind !== stored.kind)
    throw new CatalogError(
      'ERR_VALIDATION',
      `federation.kind cannot change (${stored.kind} to ${next.kind}): the warehouse's mirrored tables, and the grants and policies on them, belong to its remote; create a new warehouse for another one`,
    );
  const keptSecret = secretIn === undefined && !remove && stored.secretId !== undefined;
  const secret = secretIn?.data ?? (keptSecret ? secretInput(await deps.remotes.open(stored.secretId)) : undefined);
  const { settings, credential } = checkFederation(next, secret);
  // execute: the remote must accept exactly what would be stored, before anything is
  await testConnection(deps.remotes, settings, credential);
  const replaced = secretIn !== undefined && credential !== undefined;
  const secretId = replaced ? await deps.remotes.seal(credential) : credential === undefined ? undefined : stored.secretId;
  const retired = stored.secretId !== undefined && stored.secretId !== secretId ? stored.secretId : undefined;
  await warehouses.setFederation(name, { ...settings, secretId }, retired);
  const before = federationView(stored) as Record<string, unknown>;
  const after = federationView({ ...settings, secretId }) as Record<string, unknown>;
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => k !== 'has-secret' && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
  await audit.record(caller, {
    type: 'warehouse.federation.updated',
    decision: 'allow',
    action: 'warehouse:update',
    object: name,
    detail: {
      tenant: warehouse.tenant,
      warehouse: name,
      kind: stored.kind,
      changed,
      'secret-replaced': replaced,
      'secret-removed': retired !== undefined && !replaced,
    },
  });
  return warehouses.lookup(name);
}

/** The outcome of a federated warehouse's connection test now (GET …/federation/status). */
export interface FederationStatusResult {
  warehouse: string;
  kind: FederationSettings['kind'];
  ok: boolean;
  checkedAtMs: number;
  elapsedMs: number;
  /** The remote's refusal or failure, in the words its catalog calls answer it with (never a secret). */
  error?: { code: CatalogErrorCode; message: string };
  /** The recorded failures (this check's included), newest first, at most STATUS_FAILURES. */
  recentFailures: RemoteFailure[];
  /** When the remote last answered (a call on the request path or a check), if known. */
  lastAnsweredAtMs?: number | undefined;
}

/**
 * Calls the remote with the stored settings and credential, as the connection test of a change does, and answers what
 * happened instead of failing with it: the console's "Check connection". Not audited; what it stores is the
 * check's own outcome in the remote's failure history (remote-health.ts), which it answers with, and when the remote
 * last answered. A platform administrator's, as the change is (the answer names the remote's address and client id).
 */
export async function federationStatus(
  deps: FederationUpdateDeps,
  caller: Caller,
  name: string,
  now: () => number = Date.now,
): Promise<FederationStatusResult> {
  // authorize: as updateFederation
  const { warehouses, access } = deps;
  const warehouse = access.isPlatformAdmin(caller) ? await warehouses.lookup(name) : await warehouses.require(caller, name);
  await access.requireAdmin(caller, warehouse.tenant, "reading a warehouse's remote catalog status");
  if (!access.isPlatformAdmin(caller))
    throw new CatalogError('ERR_FORBIDDEN', "only a platform administrator can read a federated warehouse's remote catalog status");
  const stored = warehouse.federation;
  if (stored === undefined) throw new CatalogError('ERR_VALIDATION', `Warehouse ${name} is not federated: it has no remote catalog`);
  if (!deps.remotes) throw new CatalogError('ERR_NOT_IMPLEMENTED', 'This server has no federation');
  // execute
  const checkedAtMs = now();
  const failures = deps.failures;
  const health = failures && new RemoteHealth(() => failures, { now });
  let error: FederationStatusResult['error'];
  try {
    await deps.remotes.connect(stored, await deps.remotes.open(stored.secretId)).check();
  } catch (e) {
    error = remoteErrorView(e, stored);
  }
  const elapsedMs = Math.max(0, now() - checkedAtMs);
  if (health && error) await health.failed({ name, federation: stored }, 'check', new CatalogError(error.code, error.message), true);
  else if (health) await health.answered(name, true);
  const [recentFailures, lastAnsweredAtMs] = failures
    ? await Promise.all([failures.recent(name, STATUS_FAILURES), failures.lastAnswered(name)])
    : [[], undefined];
  return {
    warehouse: name,
    kind: stored.kind,
    ok: error === undefined,
    checkedAtMs,
    elapsedMs,
    ...(error ? { error } : {}),
    recentFailures,
    ...(lastAnsweredAtMs === undefined ? {} : { lastAnsweredAtMs }),
  };
}

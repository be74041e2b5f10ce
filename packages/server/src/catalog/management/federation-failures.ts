/**
 * A federated warehouse's remote failure history, page by page (GET /management/v1/warehouses/{w}/federation/failures):
 * every row the catalog database keeps (catalog/ports/remote-failures.ts; the status answers only the newest 20),
 * newest last failure first. Nothing is called at the remote. A platform administrator's, as the status is (the
 * messages name the remote's address and client id). A page token is where the previous page ended; a row that fails
 * again while an operator pages moves to the front (it is on the first page when read again), so a listing never
 * repeats a row and skips only such moved ones.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { Caller } from '../ports/index.js';
import type { RemoteFailure, RemoteFailureCursor, RemoteOperation } from '../ports/remote-failures.js';
import type { FederationUpdateDeps } from './warehouse-federation.js';

export const MAX_FAILURES_PAGE = 1000;
const DEFAULT_FAILURES_PAGE = 100;

export interface FederationFailuresPage {
  failures: RemoteFailure[];
  nextPageToken?: string;
}

const badToken = () => new CatalogError('ERR_VALIDATION', 'pageToken is not one this listing gave out');

function decodeToken(token: unknown): RemoteFailureCursor {
  try {
    if (typeof token !== 'string' || token.length > 400) throw new Error();
    const [lastAtMs, operation, windowStartMs, fingerprint] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (!Number.isSafeInteger(lastAtMs) || !Number.isSafeInteger(windowStartMs)) throw new Error();
    if (typeof operation !== 'string' || operation.length > 40 || typeof fingerprint !== 'string' || !/^[0-9a-f]{64}$/.test(fingerprint)) throw new Error();
    return { lastAtMs: lastAtMs as number, operation: operation as RemoteOperation, windowStartMs: windowStartMs as number, fingerprint };
  } catch {
    throw badToken();
  }
}

const encodeToken = (r: RemoteFailureCursor) => Buffer.from(JSON.stringify([r.lastAtMs, r.operation, r.windowStartMs, r.fingerprint])).toString('base64url');

export async function federationFailures(
  deps: Pick<FederationUpdateDeps, 'warehouses' | 'access' | 'failures'>,
  caller: Caller,
  name: string,
  pageToken: unknown,
  pageSize: unknown,
): Promise<FederationFailuresPage> {
  // validate
  const after = pageToken === undefined || pageToken === '' ? undefined : decodeToken(pageToken);
  const limit = pageSize === undefined ? DEFAULT_FAILURES_PAGE : Number(pageSize);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_FAILURES_PAGE)
    throw new CatalogError('ERR_VALIDATION', `pageSize must be a whole number from 1 to ${MAX_FAILURES_PAGE}`);
  // authorize: as the status
  const { warehouses, access, failures } = deps;
  const warehouse = access.isPlatformAdmin(caller) ? await warehouses.lookup(name) : await warehouses.require(caller, name);
  await access.requireAdmin(caller, warehouse.tenant, "reading a warehouse's remote catalog failures");
  if (!access.isPlatformAdmin(caller))
    throw new CatalogError('ERR_FORBIDDEN', "only a platform administrator can read a federated warehouse's remote catalog failures");
  if (warehouse.federation === undefined) throw new CatalogError('ERR_VALIDATION', `Warehouse ${name} is not federated: it has no remote catalog`);
  // execute
  if (failures === undefined) return { failures: [] };
  const rows = await failures.page(name, limit + 1, after);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return rows.length > limit && last ? { failures: page, nextPageToken: encodeToken(last) } : { failures: page };
}

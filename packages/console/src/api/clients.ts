/** The SDK clients the console calls everything through, all authenticated by the session (cookie + CSRF header). */
import { IcebergRestCatalog, LakegateManagement, LanceNamespace } from '@lakegate/client/browser';
import { browserFetch, origin, sessionAuth } from './session';

const common = () => ({ uri: origin(), auth: sessionAuth, fetch: browserFetch, retries: 1, timeoutMs: 30_000 });

let management: LakegateManagement | undefined;
export function managementClient(): LakegateManagement {
  management ??= new LakegateManagement(common());
  return management;
}

const catalogs = new Map<string, IcebergRestCatalog>();
/** The Iceberg catalog of one warehouse (`''`: the server's default warehouse). */
export function catalogClient(warehouse: string): IcebergRestCatalog {
  let c = catalogs.get(warehouse);
  if (!c) {
    // No access delegation is asked for: the console shows metadata, never storage credentials.
    c = new IcebergRestCatalog({ ...common(), ...(warehouse ? { warehouse } : {}), idempotencyKeys: true });
    catalogs.set(warehouse, c);
  }
  return c;
}

const lances = new Map<string, LanceNamespace>();
export function lanceClient(warehouse: string): LanceNamespace {
  let c = lances.get(warehouse);
  if (!c) {
    c = new LanceNamespace({ ...common(), uri: `${origin()}/lance/${encodeURIComponent(warehouse)}` });
    lances.set(warehouse, c);
  }
  return c;
}

/** Forgets every client (sign-out), so no negotiated state outlives the session. */
export function resetClients(): void {
  management = undefined;
  catalogs.clear();
  lances.clear();
}

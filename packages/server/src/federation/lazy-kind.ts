/**
 * A remote catalog kind whose module is imported when a warehouse of the kind is first called, not at start: Glue's
 * (the AWS Glue SDK) and Hive's (thrift) client libraries load only on a server that federates to one. connect()
 * stays synchronous as the port has it; the remote it returns connects on its first call (runtime/on-first-call.ts).
 */
import type { RemoteCatalog, RemoteCatalogKind } from '../catalog/ports/remote-catalog.js';
import { onFirstCall } from '../runtime/on-first-call.js';

/** Every method of RemoteCatalog: the lazily loaded kinds (Glue, Hive) all stage tables (federation/pointer-tables.ts). */
const METHODS = {
  check: true,
  listNamespaces: true,
  createNamespace: true,
  listTables: true,
  loadTable: true,
  createTable: true,
  stageTable: true,
  commitTable: true,
  dropTable: true,
} as const;

export function lazyKind(kind: RemoteCatalogKind['kind'], load: () => Promise<RemoteCatalogKind>): RemoteCatalogKind {
  return {
    kind,
    connect: (settings, credential, files): RemoteCatalog => onFirstCall(async () => (await load()).connect(settings, credential, files), METHODS),
  };
}

/** The SDK's clients of a server process, for the tests of test/client/ that call it as users do. */
import { IcebergRestCatalog, LakegateManagement } from '@lakegate/client';
import { expect } from 'vitest';
import type { ServerProcess } from './server-process.js';

/** What `expect(...).rejects` cannot say in one line: the error `promise` rejects with (the test fails if it resolves), for predicates. */
export const failure = <E = unknown>(promise: Promise<unknown>): Promise<E> =>
  promise.then(
    () => expect.fail('expected the call to fail'),
    (e: E) => e,
  );

/** A management client, and a catalog of `warehouse`, on `server` for a principal's "id:secret", over OAuth2 client credentials. */
export function clientsFor(server: ServerProcess, warehouse: string, credential: string): { management: LakegateManagement; catalog: IcebergRestCatalog } {
  const properties = { credential, scope: 'catalog' };
  return {
    management: new LakegateManagement({ uri: server.url, properties }),
    catalog: new IcebergRestCatalog({ uri: server.url, warehouse, properties }),
  };
}

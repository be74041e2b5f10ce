/**
 * The SDK's Iceberg suite (test/client/iceberg-suite.ts) against a real Lakegate server process with authentication
 * on. A second warehouse on Azurite (the Azure Storage emulator, a Node process) vends SAS credentials with storage
 * refresh tokens, so credential refresh of staged tables runs for real.
 */
import { bearerAuth } from '@lakegate/client';
import { expect } from 'vitest';
import { type Azurite, startAzurite } from '../support/azurite.js';
import { httpSender } from '../support/iceberg-http.js';
import { startServer } from '../support/server-process.js';
import { icebergCatalogSuite } from './iceberg-suite.js';

icebergCatalogSuite(async () => {
  const server = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  let azurite: Azurite | undefined;
  try {
    azurite = await startAzurite();
    await azurite.createContainer('lake');
    const token = await server.token();
    const created = await httpSender(server.url, token)('POST', '/management/v1/warehouses', {
      name: 'az',
      'storage-root': `abfss://lake@${azurite.account}.dfs.core.windows.net/az`,
      'storage-profile': { type: 'azure', account: azurite.account, container: 'lake', endpoint: azurite.endpoint, 'sas-scope': 'container' },
      'storage-secret': { 'account-key': azurite.accountKey },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const auth = bearerAuth(token);
    return {
      options: { uri: server.url, auth },
      vending: { uri: server.url, auth, warehouse: 'az' },
      etags: 'conditional',
      async stop() {
        await server.stop();
        await azurite?.stop();
      },
    };
  } catch (e) {
    await server.stop();
    await azurite?.stop();
    throw e;
  }
});

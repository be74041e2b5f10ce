/**
 * The catalog database and the warehouses' storage (app.ts's first step): the store migrated, the server's secret
 * key and the SecretBox that seals stored secrets with it, and each warehouse's storage and vendor.
 */
import type { Spans } from '../catalog/ports/tracing.js';
import type { LakegateConfig } from '../config/config.js';
import type { LakegateStore } from '../store.js';
import { SecretBox } from '../security/secret-box.js';
import { loadSecretKey } from '../security/secret-key.js';
import { WarehouseStorage } from '../storage/warehouse-storage.js';
import { createStore } from './store.js';

export interface ComposedStorage {
  store: LakegateStore;
  secretKey: Uint8Array;
  box: SecretBox;
  warehouseStorage: WarehouseStorage;
}

export async function openStorage(config: LakegateConfig, spans: Spans | undefined): Promise<ComposedStorage> {
  const store = await createStore(config, spans);
  await store.migrate();
  const secretKey = loadSecretKey(config.secretKey, config.dataDir);
  const box = new SecretBox(secretKey);
  const warehouseStorage = new WarehouseStorage(store, box, spans);
  return { store, secretKey, box, warehouseStorage };
}

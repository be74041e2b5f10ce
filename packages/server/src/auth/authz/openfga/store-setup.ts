/**
 * Connecting to OpenFGA: the store (the configured id, or the one named
 * "lakegate", created when there is none) and the authorization model (the
 * store's latest one when it is Lakegate's current model, otherwise the
 * current model is written). Replicas that start together may each create
 * a store: afterwards each one keeps the oldest store of the name (OpenFGA
 * ids are ULIDs, which sort by creation) and deletes its own if that is not
 * it, so all of them settle on one.
 */
import { FgaApiError } from '@openfga/sdk';
import { ConfigError } from '../../../config/config.js';
import type { FgaClient } from './fga-client.js';
import { type AuthorizationModel, authorizationModel } from './model.js';

export const STORE_NAME = 'lakegate';

export async function findOrCreateStore(client: FgaClient, configuredId: string): Promise<string> {
  if (configuredId) {
    await client
      .call('other', 'get-store', (api) => api.getStore(configuredId))
      .catch((e: unknown) => {
        throw new ConfigError(`OpenFGA store ${configuredId} cannot be read (${describe(e)})`);
      });
    return configuredId;
  }
  const existing = await storesNamed(client, STORE_NAME);
  if (existing.length > 0) return existing[0]!;
  const created = await client.call('other', 'create-store', (api) => api.createStore({ name: STORE_NAME }));
  const all = await storesNamed(client, STORE_NAME);
  const chosen = all[0] ?? created.id;
  if (chosen !== created.id) await client.call('other', 'delete-store', (api) => api.deleteStore(created.id)).catch(() => undefined);
  return chosen;
}

async function storesNamed(client: FgaClient, name: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.call('other', 'list-stores', (api) => api.listStores(100, token, name));
    for (const s of page.stores ?? []) if (s.name === name && !s.deleted_at) ids.push(s.id);
    token = page.continuation_token || undefined;
  } while (token);
  return ids.sort();
}

/** The id of the store's model when it is Lakegate's current one; otherwise writes the current model and returns its id. */
export async function ensureModel(client: FgaClient, storeId: string): Promise<string> {
  const wanted = authorizationModel();
  const latest = await client.call('other', 'read-models', (api) => api.readAuthorizationModels(storeId, 1)).then((r) => r.authorization_models?.[0]);
  if (latest && sameModel(latest as unknown as AuthorizationModel, wanted)) return latest.id;
  const written = await client.call('other', 'write-model', (api) => api.writeAuthorizationModel(storeId, wanted as never));
  return written.authorization_model_id;
}

/** Models compared by content, ignoring what OpenFGA adds when it stores one (ids, empty fields, source info). */
export function sameModel(a: AuthorizationModel, b: AuthorizationModel): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(model: AuthorizationModel): unknown {
  const clean = (v: unknown, key = ''): unknown => {
    if (Array.isArray(v)) return v.map((x) => clean(x));
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x === null || x === undefined || x === '' || k === 'module' || k === 'source_info' || k === 'id') continue;
      // `this: {}` means "direct"; any other empty object (no relations, no conditions) says nothing.
      if (typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0 && k !== 'this') continue;
      out[k] = clean(x, k);
    }
    return key === 'metadata' && Object.keys(out).length === 0 ? undefined : out;
  };
  return clean({ schema_version: model.schema_version, type_definitions: model.type_definitions, conditions: (model as { conditions?: unknown }).conditions });
}

function describe(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : e instanceof FgaApiError ? `HTTP ${e.statusCode}` : 'unreachable';
  return cause;
}

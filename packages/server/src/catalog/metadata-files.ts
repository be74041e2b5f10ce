/**
 * Reading and writing metadata files. The server, not the client, writes
 * every metadata.json: a new file per commit (numbered, never overwritten),
 * and only then swaps the catalog pointer. A crash between the two leaves an
 * unreferenced file and the table at its old metadata, never in between.
 */
import { CatalogError } from '../errors/catalog-error.js';
import { parseJson, stringifyJson } from './json.js';
import type { ObjectStorage } from './ports.js';

export async function writeMetadataFile(storage: ObjectStorage, metadataLocation: string, metadata: unknown): Promise<string> {
  const json = stringifyJson(metadata);
  await storage.writeNew(metadataLocation, new TextEncoder().encode(json));
  return json;
}

export async function readMetadataFile(storage: ObjectStorage, metadataLocation: string): Promise<{ json: string; metadata: unknown }> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(metadataLocation);
  } catch (e) {
    if (e instanceof CatalogError) throw new CatalogError('ERR_VALIDATION', `Cannot read metadata file ${metadataLocation}: it does not exist`);
    throw e;
  }
  if (metadataLocation.endsWith('.gz.metadata.json')) {
    const { gunzipSync } = await import('node:zlib');
    bytes = gunzipSync(bytes);
  }
  const json = new TextDecoder().decode(bytes);
  try {
    return { json, metadata: parseJson(json) };
  } catch {
    throw new CatalogError('ERR_VALIDATION', `Metadata file ${metadataLocation} is not valid JSON`);
  }
}

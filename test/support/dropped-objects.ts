/**
 * Dropped objects on an in-process file warehouse (soft deletion and undrop): tables with data files of their own
 * under their location, so a test can see which drops keep and which delete files, and the dropped-object listing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Send } from './iceberg-http.js';

/** The default warehouse's dropped objects (management API). */
export const DROPPED = '/management/v1/warehouses/default/dropped';
/** The default warehouse's Lance namespace API. */
export const LANCE = '/lance/default/v1';

export interface DroppedEntry {
  id: string;
  kind: string;
  namespace: string[];
  name: string;
  purge: boolean;
  'expires-at-ms': number;
  'dropped-by': string;
}

/** The dropped objects `send` may list (expects 200). */
export async function listDropped(send: Send): Promise<DroppedEntry[]> {
  const res = await send('GET', DROPPED);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.dropped as DroppedEntry[];
}

/** Writes data/<name> under a file:// table location; answers its path. */
export function writeDataFile(location: string, name: string, content = 'rows'): string {
  const dir = path.join(fileURLToPath(location), 'data');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

const lanceId = (id: string[]) => encodeURIComponent(id.join('$'));

/** Declares Lance table `name` in namespace `levels`, with a data file; answers its location and the file. */
export async function lanceTableWithFile(send: Send, levels: string[], name: string): Promise<{ location: string; file: string }> {
  const id = [...levels, name];
  const declared = await send('POST', `${LANCE}/table/${lanceId(id)}/declare`, { id });
  expect(declared.status, JSON.stringify(declared.body)).toBe(200);
  const location = declared.body.location as string;
  return { location, file: writeDataFile(location, 'f.lance') };
}

/** DESCRIBE of a Lance table. */
export const describeLance = (send: Send, id: string[]) => send('POST', `${LANCE}/table/${lanceId(id)}/describe`, { id });

/**
 * The storage-kind registry: one descriptor per storage backend, each in its own folder (storage/kind.ts says what a
 * descriptor holds). The profile union (storage/profile.ts) is derived from this list, so a backend added here is a
 * profile type a warehouse can have, and a profile type cannot exist without its descriptor. To add a backend:
 * docs/storage.md, "Adding a storage backend".
 */
import { azureKind } from './azure/kind.js';
import { fileKind } from './file/kind.js';
import { gcsKind } from './gcs/kind.js';
import type { StorageKind } from './kind.js';
import { s3Kind } from './s3/kind.js';

export const STORAGE_KINDS = [s3Kind, azureKind, gcsKind, fileKind] as const;

export type StorageKinds = typeof STORAGE_KINDS;
export type StorageType = StorageKinds[number]['type'];

const BY_TYPE: ReadonlyMap<string, StorageKind> = new Map(STORAGE_KINDS.map((kind): [string, StorageKind] => [kind.type, kind]));

/** The descriptor of a profile type (a type the profile union admitted; anything else is a caller's bug). */
export function kindOf(type: StorageType): StorageKind {
  const kind = BY_TYPE.get(type);
  if (kind === undefined) throw new TypeError(`no storage kind ${JSON.stringify(type)}`);
  return kind;
}

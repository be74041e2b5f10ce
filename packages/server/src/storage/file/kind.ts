/**
 * The `file` storage kind: the server's own file system (storage/kind.ts). Only the platform may configure it, and
 * nothing is vended: clients reach the files directly (docs/storage.md).
 */
import { FILE_FACTS } from '../../catalog/ports/storage-kinds.js';
import { type StorageKind, storageKind } from '../kind.js';
import { StorageRouter } from '../storage-router.js';
import { FileProfileSchema } from './file-profile.js';
import { LocalFileStorage } from './local-file-storage.js';

export const fileKind: StorageKind<typeof FileProfileSchema, undefined> = storageKind({
  type: 'file',
  profileSchema: FileProfileSchema,
  secretSchema: undefined,
  facts: FILE_FACTS,
  schemes: ['file'],
  local: true,
  platformFields: [],
  root: () => 'file:',
  checkRoot: (_profile, root) => (root.startsWith('file:') ? undefined : 'a file profile needs a file: storage-root'),
  // One LocalFileStorage for every file warehouse of the server (it remembers which directories it made).
  build: (_profile, _secret, context) => ({
    storage: new StorageRouter([context.shared(() => new LocalFileStorage())]),
    vendor: undefined,
    mechanisms: ['vended-credentials'],
  }),
});

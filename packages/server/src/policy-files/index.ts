/** The policy-enforced files' adapter as the composition root wires it (catalog/planning/rewrite-ports.ts). */
import type { ObjectStorage } from '../catalog/object-storage.js';
import type { DataFileRewriter } from '../catalog/planning/rewrite-ports.js';

/** The largest object a rewrite reads from a store that cannot be read lazily (storage-files.ts). */
export const REWRITE_MAX_OBJECT_BYTES = 512 * 1024 * 1024;

/**
 * A rewriter with its own temporary files (StorageRewriteFiles holds one rewrite's), in this thread: the composition
 * root hands rewrites to the rewrite threads instead (compose/rewrite-threads.ts), which run this one. The Parquet
 * and Arrow libraries are imported by the first rewrite, not when the server starts.
 */
export const parquetRewriter = (storage: ObjectStorage, dir?: string): DataFileRewriter => ({
  async rewrite(request) {
    const [{ ParquetRewriter }, { StorageRewriteFiles }] = await Promise.all([import('./parquet-rewriter.js'), import('./storage-files.js')]);
    return new ParquetRewriter(new StorageRewriteFiles(storage, REWRITE_MAX_OBJECT_BYTES, dir)).rewrite(request);
  },
});

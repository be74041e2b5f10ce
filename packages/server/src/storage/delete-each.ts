/**
 * deleteMany (catalog/ports/index.ts) for a store without a bulk delete the adapter uses: one delete() per object, a bounded
 * number at once (catalog/bounded.ts), each object's failure recorded against that object instead of failing the rest.
 * Local files (an unlink each: no bulk system call exists), GCS (its JSON API's batch endpoint is a multipart/mixed
 * envelope that google-auth-library does not build, and the storage emulators do not serve) and Azure (see
 * azure-object-storage.ts) use it.
 */
import { forEachBounded } from '../catalog/bounded.js';
import type { DeleteFailure, DeleteManyResult } from '../catalog/ports/index.js';
import { CatalogError } from '../errors/catalog-error.js';

/** Single-object deletes in flight at once (as maintenance's other storage requests). */
export const DELETE_EACH_CONCURRENCY = 16;

/** deleteOne answers false when the object was not there (ObjectStorage.delete): reported missing, not deleted. */
export async function deleteEach(
  uris: readonly string[],
  deleteOne: (uri: string) => Promise<boolean | void>,
  limit = DELETE_EACH_CONCURRENCY,
): Promise<DeleteManyResult> {
  const deleted: string[] = [];
  const missing: string[] = [];
  const failed: DeleteFailure[] = [];
  await forEachBounded(
    new Set(uris),
    async (uri) => {
      try {
        if ((await deleteOne(uri)) === false) missing.push(uri);
        else deleted.push(uri);
      } catch (e) {
        failed.push(deleteFailure(uri, e));
      }
    },
    limit,
  );
  return { deleted, missing, failed };
}

/** A failure as deleteMany reports it: a CatalogError's own code and message (adapters write them free of secrets), else only the error's code. */
export function deleteFailure(uri: string, e: unknown): DeleteFailure {
  if (e instanceof CatalogError) return { uri, code: e.code, message: e.message };
  const code = (e as { code?: unknown } | undefined)?.code;
  const name = typeof code === 'string' ? code : e instanceof Error ? e.name : 'Error';
  return { uri, code: name, message: `delete ${uri} failed: ${name}` };
}

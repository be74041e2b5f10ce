/**
 * The schema fields, with Lance's own field ids, of one version of a Lance table (lance/native-fields.ts binds its
 * policies by them), read from that version's manifest: the one the catalog recorded for a table whose versions it
 * manages, else the version's file under the branch's `_versions/` (V2 naming, then V1), as DescribeTable's detailed
 * metadata finds it (detailed-metadata.ts). Read through the catalog's storage port (lanceStorage), never the library.
 *
 * A manifest is never rewritten (a version's file is written once; a restore or an overwrite is a new version), so
 * its fields are kept by the manifest's URI and the table's uuid (a table dropped and created again at its location
 * is another table) in one bounded map: 4096 manifests, about 8 MB of names at most.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { BoundedMap } from '../bounded-map.js';
import type { RequestScope } from '../context.js';
import type { TableContext } from '../kit/table-kit.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import { isManaged } from './managed.js';
import { type LanceManifestField, manifestSchemaFields } from './versions/manifest-file.js';
import { finalManifestUri, lanceStorage, type ManifestNamingScheme } from './versions/manifest-paths.js';
import { branchRoot, MAX_MANIFEST_BYTES } from './versions/staged-version.js';

export class LanceVersionFields {
  private readonly kept = new BoundedMap<string, LanceManifestField[]>({
    maxEntries: 4096,
    evict: 'oldest',
    maxSize: 8 * 1024 * 1024,
    sizeOf: (fields) => fields.reduce((n, f) => n + 32 + f.name.length + f.logicalType.length, 0),
  });
  /** Manifests read (not answered from memory): what tests count. */
  reads = 0;

  constructor(private readonly ctx: Pick<TableContext, 'store' | 'storageFor'>) {}

  /** The fields of `version` on `branch`; ERR_TABLE_VERSION_NOT_FOUND when its manifest is gone (a cleanup removed it). */
  async of(scope: RequestScope, record: CatalogObjectRecord, branch: string, version: number): Promise<LanceManifestField[]> {
    const recorded = isManaged(record) ? (await this.ctx.store.lanceVersions.get(record.id, branch, version))?.manifestUri : undefined;
    const chain = branchRoot(record.location.replace(/\/+$/, ''), branch);
    // The catalog's record of the version (managed), else its file under the branch's _versions/, as Lance names it.
    const candidates = recorded !== undefined ? [recorded] : (['V2', 'V1'] as ManifestNamingScheme[]).map((scheme) => finalManifestUri(chain, version, scheme));
    for (const uri of candidates) {
      const kept = this.kept.get(key(record, uri));
      if (kept !== undefined) return kept;
    }
    const storage = lanceStorage(await this.ctx.storageFor(scope.warehouse));
    for (const uri of candidates) {
      // Removed since it was opened (a cleanup of old versions ran in between): the next candidate, else the version is gone.
      if (!(await storage.exists(uri))) continue;
      const fields = manifestSchemaFields(await storage.read(uri, MAX_MANIFEST_BYTES));
      this.reads += 1;
      this.kept.set(key(record, uri), fields);
      return fields;
    }
    throw new CatalogError('ERR_TABLE_VERSION_NOT_FOUND', `Version ${version} of the dataset is gone`);
  }
}

const key = (record: CatalogObjectRecord, uri: string) => `${record.uuid}\u0000${uri}`;

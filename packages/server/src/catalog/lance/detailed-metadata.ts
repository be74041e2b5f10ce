/**
 * DescribeTable's `load_detailed_metadata` (lance-namespace 0.13; the 2026 spec's DescribeTableResponse): the table's
 * name and namespace, and what only the dataset tells: its version and its schema as the spec's JSON Arrow schema,
 * read through the Lance library (the LanceDatasetDescriber port; in tree LanceDB on the catalog's private loopback
 * Lance namespace: lance-optimize/lancedb-describer.ts), and the version's `stats` (the spec's TableBasicStats:
 * num_deleted_rows, num_fragments, from Lance's summary of the version's fragments) and `metadata`, the dataset's own
 * table metadata (the spec's "table metadata ... requires loading the table": the map Lance keeps in the manifest's
 * `table_metadata`, pylance's `LanceDataset.metadata`, written by `update_metadata`), both read from that version's
 * manifest (the one the catalog recorded for a managed table, else the version's file under `_versions/`;
 * versions/manifest-file.ts). Why not Lance's version summary (total_rows, total_fragments, ..., what Lance 14's own
 * directory namespace puts there): that is a property of the version, not the table's metadata, and its two counts
 * the spec names have their field, `stats`; a client reading `metadata` as the dataset's metadata would otherwise
 * never see what a writer set with `update_metadata`. LanceDB 0.39 (the library in tree) has no call that reads the
 * table metadata, so the catalog reads it from the manifest as it reads the summary.
 * DescribeTable validates, authorizes and resolves the version (directly, on a branch or by tag) first
 * (lance-tables.ts); here the library must be there (406 naming it otherwise, checked before anything is derived or
 * opened), and then:
 * - a caller a row/column policy restricts is answered from the policy-derived dataset DescribeTable hands it
 *   (policy-reads.ts), never from the table's own: that dataset's version, schema and stats, read with read-only
 *   storage access to the derived prefix, vended to the catalog's derivation caller;
 * - anyone else from the table at the branch and version asked for (the latest when none), opened as that caller;
 * - the catalog's own jobs (their LanceDB opening a table through the loopback) are refused (406), so that a job's
 *   open never opens the table again: LanceDB, as any client, then reads the dataset itself.
 * Framework-free: no HTTP, no SQL.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { RequestScope } from '../context.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { LanceDatasetDescriber, LanceDatasetDetails, LanceTableBasicStats } from '../ports/lance-describer.js';
import type { TableContext } from '../kit/table-kit.js';
import { lanceLibraryMissing } from './library.js';
import { derivationCaller } from './policy-reads.js';
import { lanceStorageOptions } from './storage-options.js';
import type { LanceTableId } from './table-id.js';
import { manifestSummary, manifestTableMetadata } from './versions/manifest-file.js';
import { finalManifestUri, lanceStorage, type ManifestNamingScheme } from './versions/manifest-paths.js';
import { branchRoot, MAX_MANIFEST_BYTES } from './versions/staged-version.js';

const OPERATION = 'DescribeTable with load_detailed_metadata';

export interface LanceDetailedAnswer extends LanceDatasetDetails {
  table: string;
  namespace: string[];
  stats: LanceTableBasicStats;
  /** The dataset's table metadata at the version opened (the manifest's `table_metadata`). */
  metadata: Record<string, string>;
}

export class LanceDetailedMetadata {
  private describer: LanceDatasetDescriber | undefined;

  constructor(private readonly ctx: TableContext) {}

  /** Attached where the server is composed (compose/lance-optimizer.ts); without one, the option is a 406. */
  useDescriber(describer: LanceDatasetDescriber | undefined): void {
    this.describer = describer;
  }

  /** The describer, or ERR_NOT_IMPLEMENTED: for the catalog's own jobs, where no library is attached or it does not load. */
  async available(scope: RequestScope): Promise<LanceDatasetDescriber> {
    if (scope.caller.catalogJob === true)
      throw new CatalogError('ERR_NOT_IMPLEMENTED', `${OPERATION} is not answered to the catalog's own jobs: open the dataset at the returned location`);
    const describer = this.describer;
    if (describer === undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', lanceLibraryMissing(OPERATION));
    const missing = await describer.unavailable();
    if (missing !== undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', missing);
    return describer;
  }

  /** The table itself at `branch` and `version` (the latest when undefined), opened as the caller. */
  async ofTable(
    describer: LanceDatasetDescriber,
    scope: RequestScope,
    id: LanceTableId,
    record: CatalogObjectRecord,
    managed: boolean,
    branch: string,
    version: number | undefined,
  ): Promise<LanceDetailedAnswer> {
    const details = await describer.describe({
      kind: 'table',
      warehouse: scope.warehouse.name,
      namespace: [...id.namespace],
      name: id.name,
      branch,
      version,
      reader: scope.caller,
    });
    // The manifest of the version opened: the catalog's record of it (managed), else its file on the branch's chain.
    const recorded = managed ? (await this.ctx.store.lanceVersions.get(record.id, branch, details.version))?.manifestUri : undefined;
    const chain = branchRoot(record.location.replace(/\/+$/, ''), branch);
    return answer(id, details, await this.manifest(scope, recorded ?? chain, recorded !== undefined, details.version));
  }

  /** The policy-derived dataset at `location` (`<prefix><name>.lance`) a restricted caller is answered with. */
  async ofDerived(
    describer: LanceDatasetDescriber,
    scope: RequestScope,
    id: LanceTableId,
    record: CatalogObjectRecord,
    location: string,
  ): Promise<LanceDetailedAnswer> {
    const match = /^(.*)\/([^/]+)\.lance\/?$/.exec(location);
    if (match === null) throw new CatalogError('ERR_UNPROCESSABLE', `The policy-derived dataset's location is not <prefix>/<name>.lance: ${location}`);
    const [, directory, name] = match as unknown as [string, string, string];
    // Read-only access to the derived prefix, vended to the catalog's derivation caller (audited as such).
    const vended = await this.ctx.credentials.forTable({
      scope: { ...scope, caller: derivationCaller(scope.caller) },
      identifier: { namespace: record.namespace, name: record.name },
      tableUuid: record.uuid,
      location: `${directory}/`,
      mode: 'read',
    });
    const details = await describer.describe({ kind: 'dataset', directory, name, storageOptions: lanceStorageOptions(vended.config) });
    // The derived dataset's own manifest of the version opened, never the table's.
    return answer(id, details, await this.manifest(scope, location.replace(/\/+$/, ''), false, details.version));
  }

  /** The manifest of `version`: the file at `at` (`exact`), or the version's file under `at`/_versions/. */
  private async manifest(scope: RequestScope, at: string, exact: boolean, version: number): Promise<Uint8Array> {
    const storage = lanceStorage(await this.ctx.storageFor(scope.warehouse));
    let uri: string | undefined = exact ? at : undefined;
    for (const scheme of exact ? [] : (['V2', 'V1'] as ManifestNamingScheme[])) {
      const candidate = finalManifestUri(at, version, scheme);
      if (await storage.exists(candidate)) {
        uri = candidate;
        break;
      }
    }
    // Removed since it was opened (a cleanup of old versions ran in between): the version is gone.
    if (uri === undefined || !(await storage.exists(uri))) throw new CatalogError('ERR_TABLE_VERSION_NOT_FOUND', `Version ${version} of the dataset is gone`);
    return storage.read(uri, MAX_MANIFEST_BYTES);
  }
}

function answer(id: LanceTableId, details: LanceDatasetDetails, manifest: Uint8Array): LanceDetailedAnswer {
  const s = manifestSummary(manifest);
  return {
    table: id.name,
    namespace: [...id.namespace],
    ...details,
    stats: { numDeletedRows: s.totalDeletionFileRows, numFragments: s.totalFragments },
    metadata: manifestTableMetadata(manifest),
  };
}

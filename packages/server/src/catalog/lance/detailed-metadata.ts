/**
 * DescribeTable's `load_detailed_metadata` (lance-namespace 0.13): the table's name and namespace, and what only
 * opening the dataset tells, its version and its schema as the spec's JSON Arrow schema, read through the Lance
 * library (the LanceDatasetDescriber port; in tree LanceDB on the catalog's private loopback Lance namespace:
 * lance-optimize/lancedb-describer.ts). DescribeTable validates and authorizes first (lance-tables.ts); here the
 * library must be there (406 naming it otherwise, checked before anything is derived or opened), and then:
 * - a caller a row/column policy restricts is answered from the policy-derived dataset DescribeTable hands it
 *   (policy-reads.ts), never from the table's own: that dataset's version and schema, read with read-only storage
 *   access to the derived prefix, vended to the catalog's derivation caller;
 * - anyone else from the table at the branch and version asked for (the latest when none), opened as that caller;
 * - the catalog's own jobs (their LanceDB opening a table through the loopback) are refused (406), so that a job's
 *   open never opens the table again: LanceDB, as any client, then reads the dataset itself.
 * Framework-free: no HTTP, no SQL.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { RequestScope } from '../context.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { LanceDatasetDescriber, LanceDatasetDetails } from '../ports/lance-describer.js';
import type { TableContext } from '../kit/table-kit.js';
import { lanceLibraryMissing } from './library.js';
import { derivationCaller } from './policy-reads.js';
import { lanceStorageOptions } from './storage-options.js';
import type { LanceTableId } from './table-id.js';

const OPERATION = 'DescribeTable with load_detailed_metadata';

export interface LanceDetailedAnswer extends LanceDatasetDetails {
  table: string;
  namespace: string[];
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
  async ofTable(describer: LanceDatasetDescriber, scope: RequestScope, id: LanceTableId, branch: string, version: number | undefined) {
    const details = await describer.describe({
      kind: 'table',
      warehouse: scope.warehouse.name,
      namespace: [...id.namespace],
      name: id.name,
      branch,
      version,
      reader: scope.caller,
    });
    return answer(id, details);
  }

  /** The policy-derived dataset at `location` (`<prefix><name>.lance`) a restricted caller is answered with. */
  async ofDerived(describer: LanceDatasetDescriber, scope: RequestScope, id: LanceTableId, record: CatalogObjectRecord, location: string) {
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
    return answer(id, details);
  }
}

const answer = (id: LanceTableId, details: LanceDatasetDetails): LanceDetailedAnswer => ({ table: id.name, namespace: [...id.namespace], ...details });

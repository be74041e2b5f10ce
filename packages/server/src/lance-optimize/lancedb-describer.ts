/**
 * The LanceDatasetDescriber port (catalog/ports/lance-describer.ts) on LanceDB (npm @lancedb/lancedb, tested with
 * 0.39.0): DescribeTable's `load_detailed_metadata`. A table is opened as the other LanceDB adapters open it, through
 * the catalog's own Lance surface on a private listener (lancedb-loopback.ts) acting for the caller DescribeTable
 * authorized, checked out at the branch and version asked for; a policy-derived dataset is opened where the catalog
 * wrote it (`<directory>/<name>.lance`), with the read-only storage options handed over. Nothing is written.
 */
import type { Schema } from 'apache-arrow';
import { CatalogError } from '../errors/catalog-error.js';
import type { LanceDatasetDescriber, LanceDatasetDetails, LanceDescribedDataset, LanceDescribedTable } from '../catalog/ports/lance-describer.js';
import { MAIN_BRANCH } from '../catalog/ports/lance-versions.js';
import { jsonArrowSchema } from './json-arrow-schema.js';
import { type LanceDb, LanceDbLoopback, type LoopbackLanceApp } from './lancedb-loopback.js';
import { causedByRequest, cleanReason } from './library-errors.js';

type OpenedTable = { schema(): Promise<unknown>; version(): Promise<number> };

export class LanceDbDescriber implements LanceDatasetDescriber {
  private readonly lance: LanceDbLoopback;

  constructor(loopback: LoopbackLanceApp, load?: () => Promise<LanceDb>) {
    this.lance = new LanceDbLoopback('DescribeTable with load_detailed_metadata', loopback, load);
  }

  unavailable(): Promise<string | undefined> {
    return this.lance.unavailable();
  }

  async describe(source: LanceDescribedTable | LanceDescribedDataset): Promise<LanceDatasetDetails> {
    try {
      return source.kind === 'table' ? await this.ofTable(source) : await this.ofDataset(source);
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      // A dataset the library refuses as given is the caller's 400; storage or the library failing, the service's 503.
      throw new CatalogError(
        causedByRequest(e) ? 'ERR_UNPROCESSABLE' : 'ERR_UNAVAILABLE',
        `The Lance dataset could not be opened for its detailed metadata: ${cleanReason(e)}`,
      );
    }
  }

  private ofTable(source: LanceDescribedTable): Promise<LanceDatasetDetails> {
    return this.lance.withNamespace(source.warehouse, source.reader, async (db) => {
      const opened = await db.openTable(source.name, source.namespace);
      let table = opened;
      try {
        if (source.branch !== MAIN_BRANCH) table = await (await opened.branches()).checkout(source.branch);
        if (source.version !== undefined) await table.checkout(source.version);
        return await details(table);
      } finally {
        if (table !== opened) table.close();
        opened.close();
      }
    });
  }

  private async ofDataset(source: LanceDescribedDataset): Promise<LanceDatasetDetails> {
    const lancedb = await this.lance.lancedb();
    const db = await lancedb.connect(source.directory, { storageOptions: source.storageOptions });
    try {
      const table = await db.openTable(source.name);
      try {
        return await details(table);
      } finally {
        table.close();
      }
    } finally {
      db.close();
    }
  }
}

async function details(table: OpenedTable): Promise<LanceDatasetDetails> {
  return { version: await table.version(), schema: jsonArrowSchema((await table.schema()) as Schema) };
}

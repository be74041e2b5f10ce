/**
 * The scheduled optimize of a managed Lance table (issue 59), decided as cheaply as the catalog can: a Lance table
 * carries its properties in its catalog row (set when it is declared), so `compaction.enabled` there, or else on its
 * warehouse, turns it on as it does an Iceberg table's compaction (metadata/compaction-properties.ts); the fragments
 * are counted in the latest version's manifest, which the catalog recorded (ports/lance-versions.ts) and reads as one
 * object, without opening the dataset or loading the Lance library. The table is optimized when at least
 * `compaction.lance.min-fragments` of them are small (fewer rows than Lance's default target per fragment).
 * Only tables whose versions the catalog manages (it is then the commit point of the versions optimize makes).
 */
import type { RequestScope, ServiceContext } from '../context.js';
import { parseJson } from '../json.js';
import { isManaged } from '../lance/managed.js';
import { countFragments } from '../lance/versions/manifest-file.js';
import { lanceStorage } from '../lance/versions/manifest-paths.js';
import { MAX_MANIFEST_BYTES } from '../lance/versions/staged-version.js';
import { scheduledLanceOptimize } from '../metadata/compaction-properties.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import { MAIN_BRANCH } from '../ports/lance-versions.js';

/** Lance's default target_rows_per_fragment (CompactionOptions): a fragment with fewer rows is one compaction takes. */
export const LANCE_TARGET_ROWS_PER_FRAGMENT = 1024 * 1024;

/** The schedule's settings for a Lance table, or undefined when its optimize is off or it is not managed by the catalog. */
export function lanceSchedule(record: CatalogObjectRecord, warehouseProperties: Record<string, string>): { minFragments: number } | undefined {
  if (!isManaged(record)) return undefined;
  let properties: Record<string, string> | undefined;
  try {
    properties = (parseJson(record.metadataJson) as { properties?: Record<string, string> }).properties;
  } catch {
    properties = undefined;
  }
  return scheduledLanceOptimize(properties, warehouseProperties);
}

/** The small fragments of the table's latest version (main), counted from its manifest; 0 when it has no version yet. */
export async function smallFragments(ctx: Pick<ServiceContext, 'store' | 'storageFor'>, scope: RequestScope, record: CatalogObjectRecord): Promise<number> {
  const [latest] = await ctx.store.lanceVersions.list(record.id, MAIN_BRANCH, { descending: true, limit: 1 });
  if (latest === undefined) return 0;
  const storage = lanceStorage(await ctx.storageFor(scope.warehouse));
  const manifest = await storage.read(latest.manifestUri, MAX_MANIFEST_BYTES);
  return countFragments(manifest, LANCE_TARGET_ROWS_PER_FRAGMENT).small;
}

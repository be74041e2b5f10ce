/**
 * The scheduled-compaction settings (issue 59), as a warehouse's properties (the defaults of its tables) and a
 * table's own properties (which win, key by key): whether the scheduled maintenance run also compacts the table's
 * small data files, and the thresholds below which it leaves them:
 * - `compaction.enabled`: `true` or `false` (default false: compaction rewrites data, so it is never implied);
 * - `compaction.min-input-files`: Iceberg's `min-input-files` of rewrite_data_files: a partition's small files are
 *   rewritten only when at least this many, or more than one over the target in bytes, or one with deletes over the
 *   threshold (compaction/bin-pack.ts; 2 to 100000, default 5 on the schedule);
 * - `compaction.min-small-file-ratio`: the table is compacted only when at least this share of its live data files
 *   are small (a decimal from 0 to 1, default 0: no ratio threshold);
 * - `compaction.manifests.min-count`: the scheduled job also merges the table's small manifests (rewrite-manifests)
 *   when at least this many are to be merged (2 to 1000000, default 100, Iceberg's commit.manifest.min-count-to-merge);
 * - `compaction.lance.min-fragments`: a managed Lance table (whose `compaction.enabled` turns it on the same way) is
 *   optimized by the scheduled job when its latest version has at least this many small fragments (fewer rows than
 *   Lance's default target of 1048576 per fragment): 2 to 1000000, default 32;
 * - `compaction.min-file-size-bytes`, `compaction.max-file-size-bytes`, `compaction.delete-file-threshold`,
 *   `compaction.delete-ratio-threshold`: Iceberg's rewrite_data_files options of those names (compaction/bin-pack.ts),
 *   as a request sets them (the same bounds; a range one set of properties gives is checked where it is set,
 *   checkCompactionRange; one a warehouse's and a table's values make that misses the target fails its compaction).
 * The target size is the table's `write.target-file-size-bytes`, as on demand. Checked where the properties are set
 * (warehouse create and change, table create and commit), so an absurd value is a 400 then, and never a surprise at
 * the next scheduled run. Values stored before the check existed and invalid now count as unset.
 */
import { illegalArgument } from '../../errors/catalog-error.js';
import { INT32_MAX } from './table-format.js';

export const COMPACTION_ENABLED = 'compaction.enabled';
export const COMPACTION_MIN_INPUT_FILES = 'compaction.min-input-files';
export const COMPACTION_MIN_SMALL_FILE_RATIO = 'compaction.min-small-file-ratio';
export const COMPACTION_MANIFESTS_MIN_COUNT = 'compaction.manifests.min-count';
export const COMPACTION_LANCE_MIN_FRAGMENTS = 'compaction.lance.min-fragments';
/**
 * A compaction's size bounds, the one place of them: a request's (maintenance/maintenance-options.ts, compact.ts)
 * and a property's (below). Below 1 MiB a "target" is a unit mistake; above 16 GiB no engine writes such files.
 */
export const MIN_TARGET_BYTES = 1024 * 1024;
export const MAX_TARGET_BYTES = 16 * 1024 ** 3;
/** Iceberg's rewrite_data_files options, as `compaction.<name>` properties, with the request's bounds. */
const ICEBERG_OPTIONS = {
  'compaction.min-file-size-bytes': { key: 'minFileSizeBytes', min: 0, max: MAX_TARGET_BYTES },
  'compaction.max-file-size-bytes': { key: 'maxFileSizeBytes', min: MIN_TARGET_BYTES, max: 2 * MAX_TARGET_BYTES },
  'compaction.delete-file-threshold': { key: 'deleteFileThreshold', min: 0, max: INT32_MAX },
} as const;
const COMPACTION_DELETE_RATIO_THRESHOLD = 'compaction.delete-ratio-threshold';
/** On the schedule, a Lance table with fewer small fragments than this is left as it is. */
export const SCHEDULED_LANCE_MIN_FRAGMENTS = 32;
/** On the schedule, fewer small manifests than this are left (Iceberg's commit.manifest.min-count-to-merge default). */
export const SCHEDULED_MANIFESTS_MIN_COUNT = 100;
const MAX_MANIFESTS_MIN_COUNT = 1_000_000;
/** On the schedule, fewer files than this in a partition are not worth a rewrite (on demand the default stays 2). */
export const SCHEDULED_MIN_INPUT_FILES = 5;
const MAX_MIN_INPUT_FILES = 100_000;

export interface ScheduledCompaction {
  minInputFiles: number;
  minSmallFileRatio: number;
  manifestsMinCount: number;
  minFileSizeBytes?: number;
  maxFileSizeBytes?: number;
  deleteFileThreshold?: number;
  deleteRatioThreshold?: number;
}

function parse(key: string, value: string): boolean | number | undefined {
  switch (key) {
    case COMPACTION_ENABLED:
      if (value !== 'true' && value !== 'false') throw illegalArgument(`Invalid value for ${key}: ${JSON.stringify(value.slice(0, 40))} (true or false)`);
      return value === 'true';
    case COMPACTION_MIN_INPUT_FILES:
      if (!/^\d{1,6}$/.test(value) || Number(value) < 2 || Number(value) > MAX_MIN_INPUT_FILES) {
        throw illegalArgument(`Invalid value for ${key}: ${JSON.stringify(value.slice(0, 40))} (a whole number from 2 to ${MAX_MIN_INPUT_FILES})`);
      }
      return Number(value);
    case COMPACTION_MIN_SMALL_FILE_RATIO:
      if (!/^(0(\.\d{1,6})?|1(\.0{1,6})?|\.\d{1,6})$/.test(value))
        throw illegalArgument(`Invalid value for ${key}: ${JSON.stringify(value.slice(0, 40))} (a decimal from 0 to 1)`);
      return Number(value);
    case COMPACTION_MANIFESTS_MIN_COUNT:
    case COMPACTION_LANCE_MIN_FRAGMENTS:
      if (!/^\d{1,7}$/.test(value) || Number(value) < 2 || Number(value) > MAX_MANIFESTS_MIN_COUNT) {
        throw illegalArgument(`Invalid value for ${key}: ${JSON.stringify(value.slice(0, 40))} (a whole number from 2 to ${MAX_MANIFESTS_MIN_COUNT})`);
      }
      return Number(value);
    case COMPACTION_DELETE_RATIO_THRESHOLD:
      if (!/^(0?\.\d{1,6}|1(\.0{1,6})?)$/.test(value) || !(Number(value) > 0))
        throw illegalArgument(`Invalid value for ${key}: ${JSON.stringify(value.slice(0, 40))} (a decimal above 0, at most 1)`);
      return Number(value);
    default:
      if (key in ICEBERG_OPTIONS) {
        const { min, max } = ICEBERG_OPTIONS[key as keyof typeof ICEBERG_OPTIONS];
        if (!/^\d{1,12}$/.test(value) || Number(value) < min || Number(value) > max)
          throw illegalArgument(`Invalid value for ${key}: ${JSON.stringify(value.slice(0, 40))} (a whole number from ${min} to ${max})`);
        return Number(value);
      }
      return undefined;
  }
}

/** A table's target file size when it sets none (Iceberg's write.target-file-size-bytes default). */
export const DEFAULT_TARGET_FILE_SIZE = 128 * 1024 * 1024;
const TARGET_PROPERTY = 'write.target-file-size-bytes';

/** A table's target file size: a valid write.target-file-size-bytes, else 128 MiB (as compaction applies it). */
export function propertyTargetSize(properties: Readonly<Record<string, string>> | undefined): number {
  const raw = properties?.[TARGET_PROPERTY];
  const n = raw !== undefined && /^\d{1,12}$/.test(raw) ? Number(raw) : NaN;
  return n >= MIN_TARGET_BYTES && n <= MAX_TARGET_BYTES ? n : DEFAULT_TARGET_FILE_SIZE;
}

/**
 * The size range one set of properties gives (a table's, or a warehouse's defaults of its tables): the minimum below
 * the maximum, and for a table both on the right side of its target, as a request's own range must be
 * (compaction/bin-pack.ts fileSizeRange). ERR_ILLEGAL_ARGUMENT (a 400) otherwise, where the properties are set, rather
 * than every scheduled compaction of the table failing. Checked when a change touches one of the keys, so a range
 * stored before the check does not block other changes.
 */
export function checkCompactionRange(properties: Readonly<Record<string, string>>, level: 'table' | 'warehouse', touched?: Iterable<string>): void {
  const keys = ['compaction.min-file-size-bytes', 'compaction.max-file-size-bytes', ...(level === 'table' ? [TARGET_PROPERTY] : [])];
  if (touched !== undefined && ![...touched].some((k) => keys.includes(k))) return;
  const value = (key: string) => {
    const raw = properties[key];
    return raw === undefined ? undefined : (parse(key, raw) as number);
  };
  const [min, max] = [value(keys[0]!), value(keys[1]!)];
  if (min !== undefined && max !== undefined && min >= max)
    throw illegalArgument(`Invalid compaction range: compaction.min-file-size-bytes (${min}) must be below compaction.max-file-size-bytes (${max})`);
  if (level === 'warehouse') return;
  const target = propertyTargetSize(properties);
  if (min !== undefined && min >= target)
    throw illegalArgument(`Invalid compaction range: compaction.min-file-size-bytes (${min}) must be below the target file size (${target})`);
  if (max !== undefined && max <= target)
    throw illegalArgument(`Invalid compaction range: compaction.max-file-size-bytes (${max}) must be above the target file size (${target})`);
}

/** One property as a table or a warehouse sets it: ERR_ILLEGAL_ARGUMENT (a 400) for a bad compaction.* value. */
export function checkCompactionProperty(key: string, value: string): void {
  parse(key, value);
}

/** Every compaction.* property of a warehouse's or table's properties. */
export function checkCompactionProperties(properties: Record<string, string>): void {
  for (const [key, value] of Object.entries(properties)) parse(key, value);
}

/** A property's value, the table's if valid, else the warehouse's if valid, else undefined. */
function setting(key: string, table: Record<string, string> | undefined, warehouse: Record<string, string>): boolean | number | undefined {
  for (const props of [table, warehouse]) {
    const raw = props?.[key];
    if (raw === undefined) continue;
    try {
      return parse(key, raw);
    } catch {
      // invalid (stored before the check): unset
    }
  }
  return undefined;
}

/** The scheduled compaction of a table, from its properties over its warehouse's; undefined when it is off. */
export function scheduledCompaction(table: Record<string, string> | undefined, warehouse: Record<string, string>): ScheduledCompaction | undefined {
  if (setting(COMPACTION_ENABLED, table, warehouse) !== true) return undefined;
  const files = setting(COMPACTION_MIN_INPUT_FILES, table, warehouse);
  const ratio = setting(COMPACTION_MIN_SMALL_FILE_RATIO, table, warehouse);
  const manifests = setting(COMPACTION_MANIFESTS_MIN_COUNT, table, warehouse);
  return {
    minInputFiles: typeof files === 'number' ? files : SCHEDULED_MIN_INPUT_FILES,
    minSmallFileRatio: typeof ratio === 'number' ? ratio : 0,
    manifestsMinCount: typeof manifests === 'number' ? manifests : SCHEDULED_MANIFESTS_MIN_COUNT,
    ...Object.fromEntries(
      [...Object.entries(ICEBERG_OPTIONS).map(([k, o]) => [k, o.key] as const), [COMPACTION_DELETE_RATIO_THRESHOLD, 'deleteRatioThreshold'] as const].flatMap(
        ([k, name]) => {
          const v = setting(k, table, warehouse);
          return typeof v === 'number' ? [[name, v]] : [];
        },
      ),
    ),
  };
}

/** The scheduled optimize of a managed Lance table, from its properties over its warehouse's; undefined when it is off. */
export function scheduledLanceOptimize(table: Record<string, string> | undefined, warehouse: Record<string, string>): { minFragments: number } | undefined {
  if (setting(COMPACTION_ENABLED, table, warehouse) !== true) return undefined;
  const fragments = setting(COMPACTION_LANCE_MIN_FRAGMENTS, table, warehouse);
  return { minFragments: typeof fragments === 'number' ? fragments : SCHEDULED_LANCE_MIN_FRAGMENTS };
}

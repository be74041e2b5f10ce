/**
 * The maintenance panel's choices as the management API's request (POST …/tables/{table}/maintenance): snapshot
 * expiry, orphan-file removal (or its dry run) with the safety age, and compaction of small data files
 * (`rewrite-data-files`, or its dry run) with its `strategy`, a typed sort order (Spark's sort_order text, columns by
 * name, as the API's `sort-order`; parsed by the SDK, as the CLI's --sort-order is), target file size, fewest
 * input files a group needs, most input a group holds (`max-file-group-size-bytes`) and Spark's partial progress
 * (`partial-progress` with its max commits; the spark executor's only, which the server's 400 says), and Iceberg's
 * size range and delete thresholds (`min-file-size-bytes`, `max-file-size-bytes` typed in MiB, `delete-file-threshold`,
 * `delete-ratio-threshold`: their bounds are the server's, its 400 shown in its words). The panel shows the table's default sort order beside the strategy; "table default"
 * sends no strategy, and the server picks sort for a table with a default sort order (or a typed one), else binpack.
 */
import { parseCompactionOrder, SortOrderTextError, type TableMaintenanceRequest } from '@lakegate/client/browser';

export type MaintenanceChoice = 'expire' | 'orphans-dry-run' | 'orphans' | 'compact-dry-run' | 'compact';
export const MAINTENANCE_CHOICES: Array<[MaintenanceChoice, string]> = [
  ['expire', 'Expire snapshots'],
  ['orphans-dry-run', 'Orphan files: dry run'],
  ['orphans', 'Remove orphan files'],
  ['compact-dry-run', 'Compact data files: dry run'],
  ['compact', 'Compact data files'],
];

/** `default` sends no strategy (the server's choice); the others are TableMaintenanceRequest's. */
export type StrategyChoice = 'default' | NonNullable<TableMaintenanceRequest['strategy']>;
export const STRATEGY_CHOICES: Array<[StrategyChoice, string]> = [
  ['default', 'Table default'],
  ['binpack', 'binpack'],
  ['sort', 'sort'],
];

export const isCompaction = (choice: MaintenanceChoice): boolean => choice === 'compact' || choice === 'compact-dry-run';
export const isOrphans = (choice: MaintenanceChoice): boolean => choice === 'orphans' || choice === 'orphans-dry-run';

const DAY_MS = 86_400_000;

/** A compaction's settings as typed on the panel: empty fields send nothing (the server's and table's defaults). */
export interface CompactionFields {
  strategy: StrategyChoice;
  /** A sort order as typed (Spark's sort_order text, e.g. `id DESC NULLS LAST`; '' for the table's default). */
  sortText?: string;
  /** Target data file size in MiB, as typed ('' for the table's `write.target-file-size-bytes` or the server default). */
  targetMiB: string;
  /** Fewest small files a group must have to be rewritten, as typed ('' for the server's 2). */
  minInputFiles: string;
  /** Most input a file group holds, in MiB, as typed ('' or absent: the target size); `max-file-group-size-bytes`. */
  groupMiB?: string;
  /** Spark's partial progress: file groups committed as they finish (the spark executor only; the server says so). */
  partialProgress?: boolean;
  /** Its most commits, as typed ('' or absent: Spark's 10); sent only with partialProgress. */
  maxCommits?: string;
  /** Files below this size (MiB) are rewritten, as typed ('' or absent: 3/4 of the target); `min-file-size-bytes`. */
  minFileMiB?: string;
  /** Files above this size (MiB) are rewritten and split, as typed ('' or absent: 1.8 times the target); `max-file-size-bytes`. */
  maxFileMiB?: string;
  /** A file with at least this many delete files is rewritten, as typed ('' or absent: off); `delete-file-threshold`. */
  deleteFileThreshold?: string;
  /** A file whose deletes remove at least this share of its rows is rewritten, as typed ('' or absent: 0.3); `delete-ratio-threshold`. */
  deleteRatioThreshold?: string;
}

const MIB = 1024 * 1024;

/**
 * What is wrong with the typed compaction settings before anything is sent: only that a field is not a number. The
 * bounds (1 MiB to 16 GiB, 2 to 100,000 files) are the server's to check: its 400 is shown in its words.
 */
export function compactionFieldsError(f: CompactionFields, columns: readonly Column[] = []): string | undefined {
  // binpack writes no order: the panel hides the field, and what was typed there is not sent.
  const sort = f.strategy === 'binpack' ? undefined : sortOrderOf(f.sortText, columns);
  if (typeof sort === 'string') return sort;
  if (f.targetMiB.trim() !== '' && !Number.isFinite(Number(f.targetMiB))) return '"Target file size" must be a number of MiB';
  if (f.minInputFiles.trim() !== '' && !Number.isFinite(Number(f.minInputFiles))) return '"Min input files" must be a number';
  if ((f.groupMiB ?? '').trim() !== '' && !Number.isFinite(Number(f.groupMiB))) return '"Max file group size" must be a number of MiB';
  if (f.partialProgress && (f.maxCommits ?? '').trim() !== '' && !Number.isInteger(Number(f.maxCommits))) return '"Max commits" must be a whole number';
  if (!isNumber(f.minFileMiB)) return '"Min file size" must be a number of MiB';
  if (!isNumber(f.maxFileMiB)) return '"Max file size" must be a number of MiB';
  if (!isNumber(f.deleteFileThreshold) || !Number.isInteger(Number(f.deleteFileThreshold ?? ''))) return '"Delete file threshold" must be a whole number';
  if (!isNumber(f.deleteRatioThreshold)) return '"Delete ratio threshold" must be a number';
  return undefined;
}

/** True for an empty (absent) field or one that reads as a number. */
const isNumber = (typed: string | undefined): boolean => (typed ?? '').trim() === '' || Number.isFinite(Number(typed));

/** The size range and delete thresholds typed, as TableMaintenanceRequest's fields (empty ones: none). */
function thresholdsOf(f: CompactionFields): Partial<TableMaintenanceRequest> {
  const [min, max, files, ratio] = [f.minFileMiB, f.maxFileMiB, f.deleteFileThreshold, f.deleteRatioThreshold].map((v) => (v ?? '').trim());
  return {
    ...(min !== '' ? { 'min-file-size-bytes': Math.round(Number(min) * MIB) } : {}),
    ...(max !== '' ? { 'max-file-size-bytes': Math.round(Number(max) * MIB) } : {}),
    ...(files !== '' ? { 'delete-file-threshold': Number(files) } : {}),
    ...(ratio !== '' ? { 'delete-ratio-threshold': Number(ratio) } : {}),
  };
}

/** A top-level column of the table's current schema, as the page has it. */
export interface Column {
  id: number;
  name: string;
}

/** The typed sort order as the API's `sort-order`, undefined when none was typed, or why the text is not one. */
export function sortOrderOf(text: string | undefined, columns: readonly Column[]): TableMaintenanceRequest['sort-order'] | string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const ids = new Map(columns.map((c) => [c.name, c.id]));
  try {
    return parseCompactionOrder(text, (name) => ids.get(name));
  } catch (e) {
    if (e instanceof SortOrderTextError) return `"Sort order": ${e.message}`;
    throw e;
  }
}

export function maintenanceRequest(
  choice: MaintenanceChoice,
  options: { olderThanDays: number } & CompactionFields,
  columns: readonly Column[] = [],
): TableMaintenanceRequest {
  if (choice === 'expire') return { actions: ['expire-snapshots'] };
  if (isCompaction(choice)) {
    const target = options.targetMiB.trim();
    const minInput = options.minInputFiles.trim();
    const group = (options.groupMiB ?? '').trim();
    const maxCommits = (options.maxCommits ?? '').trim();
    const sortOrder = options.strategy === 'binpack' ? undefined : sortOrderOf(options.sortText, columns);
    return {
      actions: ['rewrite-data-files'],
      ...(choice === 'compact-dry-run' ? { 'dry-run': true } : {}),
      ...(options.strategy !== 'default' ? { strategy: options.strategy } : {}),
      ...(sortOrder !== undefined && typeof sortOrder !== 'string' ? { 'sort-order': sortOrder } : {}),
      ...(target !== '' ? { 'target-file-size-bytes': Math.round(Number(target) * MIB) } : {}),
      ...(minInput !== '' ? { 'min-input-files': Number(minInput) } : {}),
      ...(group !== '' ? { 'max-file-group-size-bytes': Math.round(Number(group) * MIB) } : {}),
      ...(options.partialProgress ? { 'partial-progress': { enabled: true, ...(maxCommits !== '' ? { 'max-commits': Number(maxCommits) } : {}) } } : {}),
      ...thresholdsOf(options),
    };
  }
  return { actions: ['remove-orphan-files'], 'dry-run': choice === 'orphans-dry-run', 'orphan-older-than-ms': Math.round(options.olderThanDays * DAY_MS) };
}

/** What a compaction with this strategy will order rows by, given the table's default sort order in words (undefined: unsorted). */
export function strategyHint(strategy: StrategyChoice, sortOrder: string | undefined, typed = ''): string {
  if (strategy === 'binpack') return "Rows keep the small files' order (files and row groups concatenated).";
  if (typed.trim() !== '') return `Rows are written in the order typed (${typed.trim()}), not the table's default.`;
  if (strategy === 'sort') {
    return sortOrder
      ? `Rows are written in the table's default sort order: ${sortOrder}.`
      : 'This table has no default sort order: the server refuses sort until one is set.';
  }
  return sortOrder ? `The server sorts by the table's default sort order (${sortOrder}).` : 'The server bin-packs (this table is unsorted).';
}

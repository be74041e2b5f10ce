/**
 * The maintenance panel's choices as the management API's request (POST …/tables/{table}/maintenance): snapshot
 * expiry, orphan-file removal (or its dry run) with the safety age, and compaction of small data files
 * (`rewrite-data-files`, or its dry run) with its `strategy`, target file size and fewest input files a group needs. The API sorts by the table's default sort order only (it
 * takes no sort order of its own), so the console offers the strategy and shows that order; "table default" sends no
 * strategy, and the server picks sort for a table with a default sort order, else binpack.
 */
import type { TableMaintenanceRequest } from '@lakegate/client/browser';

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
  /** Target data file size in MiB, as typed ('' for the table's `write.target-file-size-bytes` or the server default). */
  targetMiB: string;
  /** Fewest small files a group must have to be rewritten, as typed ('' for the server's 2). */
  minInputFiles: string;
}

const MIB = 1024 * 1024;

/**
 * What is wrong with the typed compaction settings before anything is sent: only that a field is not a number. The
 * bounds (1 MiB to 16 GiB, 2 to 100,000 files) are the server's to check: its 400 is shown in its words.
 */
export function compactionFieldsError(f: CompactionFields): string | undefined {
  if (f.targetMiB.trim() !== '' && !Number.isFinite(Number(f.targetMiB))) return '"Target file size" must be a number of MiB';
  if (f.minInputFiles.trim() !== '' && !Number.isFinite(Number(f.minInputFiles))) return '"Min input files" must be a number';
  return undefined;
}

export function maintenanceRequest(choice: MaintenanceChoice, options: { olderThanDays: number } & CompactionFields): TableMaintenanceRequest {
  if (choice === 'expire') return { actions: ['expire-snapshots'] };
  if (isCompaction(choice)) {
    const target = options.targetMiB.trim();
    const minInput = options.minInputFiles.trim();
    return {
      actions: ['rewrite-data-files'],
      ...(choice === 'compact-dry-run' ? { 'dry-run': true } : {}),
      ...(options.strategy !== 'default' ? { strategy: options.strategy } : {}),
      ...(target !== '' ? { 'target-file-size-bytes': Math.round(Number(target) * MIB) } : {}),
      ...(minInput !== '' ? { 'min-input-files': Number(minInput) } : {}),
    };
  }
  return { actions: ['remove-orphan-files'], 'dry-run': choice === 'orphans-dry-run', 'orphan-older-than-ms': Math.round(options.olderThanDays * DAY_MS) };
}

/** What a compaction with this strategy will order rows by, given the table's default sort order in words (undefined: unsorted). */
export function strategyHint(strategy: StrategyChoice, sortOrder: string | undefined): string {
  if (strategy === 'binpack') return "Rows keep the small files' order (files and row groups concatenated).";
  if (strategy === 'sort') {
    return sortOrder
      ? `Rows are written in the table's default sort order: ${sortOrder}.`
      : 'This table has no default sort order: the server refuses sort until one is set.';
  }
  return sortOrder ? `The server sorts by the table's default sort order (${sortOrder}).` : 'The server bin-packs (this table is unsorted).';
}

/**
 * The maintenance panel's choices as the management API's request (POST …/tables/{table}/maintenance): snapshot
 * expiry, orphan-file removal (or its dry run) with the safety age, and compaction of small data files
 * (`rewrite-data-files`, or its dry run) with its `strategy`. The API sorts by the table's default sort order only (it
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

export function maintenanceRequest(choice: MaintenanceChoice, options: { olderThanDays: number; strategy: StrategyChoice }): TableMaintenanceRequest {
  if (choice === 'expire') return { actions: ['expire-snapshots'] };
  if (isCompaction(choice)) {
    return {
      actions: ['rewrite-data-files'],
      ...(choice === 'compact-dry-run' ? { 'dry-run': true } : {}),
      ...(options.strategy !== 'default' ? { strategy: options.strategy } : {}),
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

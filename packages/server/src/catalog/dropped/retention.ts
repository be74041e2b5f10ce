/**
 * How long a warehouse keeps dropped objects recoverable: the warehouse property `drop.retention-ms` (milliseconds,
 * 0 = a drop removes the object at once, as before soft deletion), 7 days when unset. Checked when a warehouse is
 * created, so a bad value is a 400 then, not a surprise at the first drop.
 */
import { validation } from '../../errors/catalog-error.js';
import type { Warehouse } from '../ports/index.js';

export const DROP_RETENTION_PROPERTY = 'drop.retention-ms';
export const DEFAULT_DROP_RETENTION_MS = 7 * 86_400_000;
/** Ten years: anything longer is a typo (seconds for milliseconds are the other way round), not a policy. */
export const MAX_DROP_RETENTION_MS = 10 * 365 * 86_400_000;

/** Validates a warehouse's properties' retention, when set (ERR_VALIDATION otherwise). */
export function checkRetentionProperty(properties: Record<string, string>): void {
  const value = properties[DROP_RETENTION_PROPERTY];
  if (value !== undefined) parseRetention(value);
  // The maintenance schedule (scheduler.ts): a whole number of milliseconds, at least a minute (the default sweep period,
  // sweepIntervalMs: a job is started from the sweep, so never more often than it runs), or 0 (off).
  const interval = properties['maintenance.interval-ms'];
  if (
    interval !== undefined &&
    (!/^\d{1,15}$/.test(interval) || (Number(interval) > 0 && Number(interval) < 60_000) || Number(interval) > MAX_DROP_RETENTION_MS)
  ) {
    throw validation(
      `maintenance.interval-ms must be 0 (off) or a whole number of milliseconds from 60000 to ${MAX_DROP_RETENTION_MS}, not ${JSON.stringify(interval.slice(0, 40))}`,
    );
  }
}

function parseRetention(value: string): number {
  if (!/^\d{1,15}$/.test(value) || Number(value) > MAX_DROP_RETENTION_MS) {
    throw validation(
      `${DROP_RETENTION_PROPERTY} must be a whole number of milliseconds from 0 to ${MAX_DROP_RETENTION_MS} (10 years), not ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return Number(value);
}

/** The warehouse's retention in milliseconds (a value stored before the check existed and now invalid counts as the default). */
export function dropRetentionMs(warehouse: Warehouse): number {
  const value = warehouse.properties[DROP_RETENTION_PROPERTY];
  if (value === undefined) return DEFAULT_DROP_RETENTION_MS;
  try {
    return parseRetention(value);
  } catch {
    return DEFAULT_DROP_RETENTION_MS;
  }
}

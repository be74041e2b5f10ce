/**
 * What a maintenance job (maintenance-service.ts) takes and answers: its actions, the request body and warehouse and
 * table properties it reads (checked here: a bad value is a 400 naming it), and its result.
 */
import type { TableMaintenanceJob } from '@lakegate/protocol';
import { validation } from '../../errors/catalog-error.js';
import { type CompactionOptions, type CompactionResult } from './compaction/compact.js';
import { MAX_TARGET_BYTES, MIN_TARGET_BYTES } from '../metadata/compaction-properties.js';
import { INT32_MAX } from '../metadata/table-format.js';
import { parseTransform } from '../metadata/transforms.js';
import { COMPACTION_STRATEGIES, type CompactionStrategy, type RequestedSortField } from './compaction/sort-strategy.js';
import { MAX_MANIFEST_TARGET, MIN_MANIFEST_TARGET, type ManifestRewriteOptions, type ManifestRewriteResult } from './compaction/rewrite-manifests.js';
import type { FailedFile } from './delete-files.js';
import { MAX_ZORDER_COLUMNS, type RequestedZOrder } from './compaction/zorder-strategy.js';
import type { ExpirySettings } from './expire-plan.js';
import { DEFAULT_ORPHAN_AGE_MS } from './orphan-files.js';
import type { DeletableFile } from './reachable-files.js';

/** GET of a table's job: its state (`abandoned`: its replica stopped before it ended; the scheduler takes it again), lease and progress. */
export type MaintenanceJobView = TableMaintenanceJob;

/** The actions a request without `actions` (and the scheduler) runs. */
export const MAINTENANCE_ACTIONS = ['expire-snapshots', 'remove-orphan-files'] as const;
/**
 * Every action, in the order a job runs them; compaction (data files, then manifests) only when asked for: it
 * rewrites, the others only remove what nothing reaches.
 */
export const ALL_MAINTENANCE_ACTIONS = ['rewrite-data-files', 'rewrite-manifests', ...MAINTENANCE_ACTIONS] as const;
/** A Lance table's only action (lance-optimize.ts): named alone, and only on a Lance table. */
export const LANCE_OPTIMIZE = 'optimize';
export type MaintenanceAction = (typeof ALL_MAINTENANCE_ACTIONS)[number] | typeof LANCE_OPTIMIZE;

/** A century: an age beyond it is a unit mistake, not a policy. */
const MAX_AGE_MS = 100 * 365 * 86_400_000;
const MAX_MIN_SNAPSHOTS = 1_000_000;

export interface MaintenanceOptions {
  actions: MaintenanceAction[];
  dryRun: boolean;
  expiry: Partial<ExpirySettings>;
  /** Orphans younger than this are kept (default 3 days; the request may go down to 0, for tests and known-idle tables). */
  orphanOlderThanMs: number;
  compaction?: CompactionOptions | undefined;
  manifests?: ManifestRewriteOptions | undefined;
  /** Who started the job (events, audit and /metrics say it); on-demand when unset. */
  trigger?: 'on-demand' | 'scheduled' | undefined;
  /** Aborted when the job lost its table lease (lease-keeper.ts): compaction stops and removes what it wrote; expiry and orphan removal send no further deletions. */
  signal?: AbortSignal | undefined;
}

export interface MaintenanceResult {
  'dry-run': boolean;
  'expired-snapshots': string[];
  'removed-refs': string[];
  'deleted-files': number;
  'deleted-bytes': number;
  /** The files deleted (or, on a dry run, that would be). */
  files: DeletableFile[];
  /** The files the store could not delete (left; not in `files` nor counted). */
  'failed-files': FailedFile[];
  /** The files that were not there to delete (not in `files` nor counted as deleted). */
  'missing-files': DeletableFile[];
  'metadata-location': string;
  compaction?: CompactionResult;
  manifests?: ManifestRewriteResult;
  /**
   * optimize (a Lance table): its superseded policy-derived datasets (lance-policy-cleanup.ts) this run kept within
   * their grace period, and those it removed (their files in `files`).
   */
  'policy-datasets'?: { superseded: number; removed: number };
  /** optimize (a Lance table): what the Lance library compacted, and the table's latest managed version before and after. */
  optimize?: {
    'fragments-removed': number;
    'fragments-added': number;
    'files-removed': number;
    'files-added': number;
    attempts: number;
    'version-before': number;
    'version-after': number;
  };
}

/** A result that expired and deleted nothing (a job without expiry or orphan removal starts from it). */
export function nothingDeleted(dryRun: boolean, metadataLocation: string): MaintenanceResult {
  return {
    'dry-run': dryRun,
    'expired-snapshots': [],
    'removed-refs': [],
    'deleted-files': 0,
    'deleted-bytes': 0,
    files: [],
    'failed-files': [],
    'missing-files': [],
    'metadata-location': metadataLocation,
  };
}

const PROPERTY: Record<keyof ExpirySettings, string> = {
  maxSnapshotAgeMs: 'history.expire.max-snapshot-age-ms',
  minSnapshotsToKeep: 'history.expire.min-snapshots-to-keep',
  maxRefAgeMs: 'history.expire.max-ref-age-ms',
};
const BODY: Record<keyof ExpirySettings, string> = {
  maxSnapshotAgeMs: 'max-snapshot-age-ms',
  minSnapshotsToKeep: 'min-snapshots-to-keep',
  maxRefAgeMs: 'max-ref-age-ms',
};

/** Validates a maintenance request body (400 for anything negative, fractional, absurd or unknown). */
export function checkMaintenanceBody(body: unknown): MaintenanceOptions {
  if (body === undefined || body === null) return { actions: [...MAINTENANCE_ACTIONS], dryRun: false, expiry: {}, orphanOlderThanMs: DEFAULT_ORPHAN_AGE_MS };
  if (typeof body !== 'object' || Array.isArray(body)) throw validation('the maintenance request must be an object');
  const b = body as Record<string, unknown>;
  const known = new Set([
    'actions',
    'dry-run',
    'orphan-older-than-ms',
    'target-file-size-bytes',
    'min-input-files',
    'max-file-group-size-bytes',
    ...THRESHOLD_FIELDS,
    'strategy',
    'sort-order',
    'target-manifest-size-bytes',
    'partial-progress',
    ...Object.values(BODY),
  ]);
  const unknown = Object.keys(b).find((k) => !known.has(k));
  if (unknown !== undefined) throw validation(`unknown field ${JSON.stringify(unknown)}; known: ${[...known].join(', ')}`);
  const actions = b.actions ?? [...MAINTENANCE_ACTIONS];
  if (
    !Array.isArray(actions) ||
    actions.length === 0 ||
    actions.some((a) => a !== LANCE_OPTIMIZE && !(ALL_MAINTENANCE_ACTIONS as readonly unknown[]).includes(a))
  ) {
    throw validation(`actions must be a non-empty list of: ${[...ALL_MAINTENANCE_ACTIONS, LANCE_OPTIMIZE].join(', ')}`);
  }
  if (actions.includes(LANCE_OPTIMIZE)) {
    if (actions.length > 1) throw validation(`${LANCE_OPTIMIZE} (a Lance table's action) is named alone`);
    // The Lance library's optimize takes no settings and has no dry run: a field it would ignore is refused. Only
    // orphan-older-than-ms applies: the grace period of superseded policy-derived datasets (lance-policy-cleanup.ts).
    const other = Object.keys(b).find((k) => k !== 'actions' && k !== 'orphan-older-than-ms');
    if (other !== undefined)
      throw validation(`${JSON.stringify(other)} does not apply to ${LANCE_OPTIMIZE}, which takes no other field than orphan-older-than-ms`);
  }
  // A setting of an action the request does not run would be ignored: refused instead, naming the action.
  for (const [action, fields] of [
    [
      'rewrite-data-files',
      ['target-file-size-bytes', 'min-input-files', 'max-file-group-size-bytes', ...THRESHOLD_FIELDS, 'strategy', 'sort-order', 'partial-progress'],
    ],
    ['rewrite-manifests', ['target-manifest-size-bytes']],
  ] as const) {
    const stray = fields.find((f) => b[f] !== undefined);
    if (stray !== undefined && !actions.includes(action)) throw validation(`${stray} applies to ${action}, which this request's actions do not name`);
  }
  if (b['dry-run'] !== undefined && typeof b['dry-run'] !== 'boolean') throw validation('dry-run must be true or false');
  const expiry: Partial<ExpirySettings> = {};
  for (const key of Object.keys(BODY) as (keyof ExpirySettings)[]) {
    const v = b[BODY[key]];
    if (v !== undefined) expiry[key] = checkSetting(key, typeof v === 'bigint' ? Number(v) : v, BODY[key]);
  }
  const orphanAge = b['orphan-older-than-ms'];
  const orphanOlderThanMs =
    orphanAge === undefined
      ? DEFAULT_ORPHAN_AGE_MS
      : checkSetting('maxSnapshotAgeMs', typeof orphanAge === 'bigint' ? Number(orphanAge) : orphanAge, 'orphan-older-than-ms');
  const compaction = {
    targetFileSizeBytes: wholeIn(b['target-file-size-bytes'], MIN_TARGET_BYTES, MAX_TARGET_BYTES, 'target-file-size-bytes'),
    minInputFiles: wholeIn(b['min-input-files'], 2, 100_000, 'min-input-files'),
    maxFileGroupSizeBytes: wholeIn(b['max-file-group-size-bytes'], MIN_TARGET_BYTES, MAX_TARGET_BYTES, 'max-file-group-size-bytes'),
    ...thresholdsOf(b),
    strategy: strategyOf(b.strategy),
    ...sortOrderOf(b['sort-order']),
    partialProgress: partialProgressOf(b['partial-progress']),
  };
  const manifests = {
    targetManifestSizeBytes: wholeIn(b['target-manifest-size-bytes'], MIN_MANIFEST_TARGET, MAX_MANIFEST_TARGET, 'target-manifest-size-bytes'),
  };
  return { actions: actions as MaintenanceAction[], dryRun: b['dry-run'] === true, expiry, orphanOlderThanMs, compaction, manifests };
}

/**
 * The request's `sort-order`: `{fields: [...]}` of Iceberg sort fields (1 to 100), each checked for its shape here, or
 * `{zorder: {"source-ids": [...]}}` (Spark's `zorder(a, b)`; zorder-strategy.ts checks the columns against the table).
 */
function sortOrderOf(v: unknown): { sortOrder?: RequestedSortField[]; zorder?: RequestedZOrder } {
  if (v === undefined) return {};
  const order = v as { fields?: unknown; 'order-id'?: unknown; zorder?: unknown };
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'zorder' in v) {
    if (Object.keys(v).length !== 1) throw validation('sort-order is either {"fields": [...]} or {"zorder": {...}}, not both');
    return { zorder: zorderRequestOf(order.zorder) };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).some((k) => k !== 'fields' && k !== 'order-id'))
    throw validation('sort-order must be an object {"fields": [...]} of sort fields, or {"zorder": {"source-ids": [...]}}');
  if (!Array.isArray(order.fields) || order.fields.length === 0 || order.fields.length > 100)
    throw validation('sort-order.fields must list 1 to 100 sort fields');
  const fields = order.fields.map((f: unknown, i): RequestedSortField => {
    const field = f as Record<string, unknown>;
    const at = `sort-order.fields[${i}]`;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw validation(`${at} must be a sort field object`);
    const extra = Object.keys(field).find((k) => !['transform', 'source-id', 'direction', 'null-order'].includes(k));
    if (extra !== undefined) throw validation(`${at} has an unknown field ${JSON.stringify(extra.slice(0, 50))}`);
    const sourceId = typeof field['source-id'] === 'bigint' ? Number(field['source-id']) : field['source-id'];
    if (typeof field.transform !== 'string' || field.transform.length === 0 || field.transform.length > 64)
      throw validation(`${at}.transform must be a transform name`);
    // The same parse a table's own sort order gets at commit (a width of 0 or past 32 bits is a 400 there too).
    parseTransform(field.transform, `${at}.transform`);
    if (typeof sourceId !== 'number' || !Number.isInteger(sourceId) || sourceId < 0) throw validation(`${at}.source-id must be a field id`);
    if (field.direction !== 'asc' && field.direction !== 'desc') throw validation(`${at}.direction must be asc or desc`);
    if (field['null-order'] !== 'nulls-first' && field['null-order'] !== 'nulls-last') throw validation(`${at}.null-order must be nulls-first or nulls-last`);
    return { transform: field.transform, 'source-id': sourceId, direction: field.direction, 'null-order': field['null-order'] };
  });
  return { sortOrder: fields };
}

/** `sort-order.zorder`: the columns' field ids (1 to 32), and Iceberg's var-length-contribution and max-output-size. */
function zorderRequestOf(v: unknown): RequestedZOrder {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw validation('sort-order.zorder must be an object {"source-ids": [...]} naming the columns to z-order by');
  const z = v as Record<string, unknown>;
  const extra = Object.keys(z).find((k) => !['source-ids', 'var-length-contribution', 'max-output-size'].includes(k));
  if (extra !== undefined) throw validation(`sort-order.zorder has an unknown field ${JSON.stringify(extra.slice(0, 50))}`);
  const ids = z['source-ids'];
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_ZORDER_COLUMNS)
    throw validation(`sort-order.zorder.source-ids must list 1 to ${MAX_ZORDER_COLUMNS} field ids`);
  const sourceIds = ids.map((id: unknown, i) => {
    const n = typeof id === 'bigint' ? Number(id) : id;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw validation(`sort-order.zorder.source-ids[${i}] must be a field id`);
    return n;
  });
  return {
    'source-ids': sourceIds,
    'var-length-contribution': wholeIn(z['var-length-contribution'], 1, 1024, 'sort-order.zorder.var-length-contribution'),
    'max-output-size': wholeIn(z['max-output-size'], 1, 65536, 'sort-order.zorder.max-output-size'),
  };
}

/** `partial-progress`: Spark's partial-progress.enabled and .max-commits (undefined: not enabled). */
function partialProgressOf(v: unknown): { maxCommits?: number | undefined } | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw validation('partial-progress must be an object {"enabled": true, "max-commits": N}');
  const p = v as Record<string, unknown>;
  const extra = Object.keys(p).find((k) => k !== 'enabled' && k !== 'max-commits');
  if (extra !== undefined) throw validation(`partial-progress has an unknown field ${JSON.stringify(extra.slice(0, 50))}`);
  if (typeof p.enabled !== 'boolean') throw validation('partial-progress.enabled must be true or false');
  const maxCommits = wholeIn(p['max-commits'], 1, 1000, 'partial-progress.max-commits');
  if (!p.enabled) {
    if (maxCommits !== undefined) throw validation('partial-progress.max-commits applies with partial-progress.enabled true');
    return undefined;
  }
  return { maxCommits };
}

function strategyOf(v: unknown): CompactionStrategy | undefined {
  if (v === undefined) return undefined;
  if (!(COMPACTION_STRATEGIES as readonly unknown[]).includes(v)) throw validation(`strategy must be one of: ${COMPACTION_STRATEGIES.join(', ')}`);
  return v as CompactionStrategy;
}

/** Iceberg's rewrite_data_files size range and delete thresholds (bin-pack.ts applies them). */
const THRESHOLD_FIELDS = ['min-file-size-bytes', 'max-file-size-bytes', 'delete-file-threshold', 'delete-ratio-threshold'] as const;

/** As Iceberg checks them: sizes within the target's bounds (the range against the target: fileSizeRange), a count of at least 0, a ratio in (0, 1]. */
function thresholdsOf(
  b: Record<string, unknown>,
): Pick<CompactionOptions, 'minFileSizeBytes' | 'maxFileSizeBytes' | 'deleteFileThreshold' | 'deleteRatioThreshold'> {
  const minFileSizeBytes = wholeIn(b['min-file-size-bytes'], 0, MAX_TARGET_BYTES, 'min-file-size-bytes');
  const maxFileSizeBytes = wholeIn(b['max-file-size-bytes'], MIN_TARGET_BYTES, 2 * MAX_TARGET_BYTES, 'max-file-size-bytes');
  if (minFileSizeBytes !== undefined && maxFileSizeBytes !== undefined && minFileSizeBytes >= maxFileSizeBytes)
    throw validation('min-file-size-bytes must be below max-file-size-bytes');
  const ratio = typeof b['delete-ratio-threshold'] === 'bigint' ? Number(b['delete-ratio-threshold']) : b['delete-ratio-threshold'];
  if (ratio !== undefined && (typeof ratio !== 'number' || !(ratio > 0 && ratio <= 1)))
    throw validation('delete-ratio-threshold must be a number above 0 and at most 1');
  return {
    minFileSizeBytes,
    maxFileSizeBytes,
    deleteFileThreshold: wholeIn(b['delete-file-threshold'], 0, INT32_MAX, 'delete-file-threshold'),
    deleteRatioThreshold: ratio as number | undefined,
  };
}

function wholeIn(v: unknown, min: number, max: number, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw validation(`${what} must be a whole number from ${min} to ${max}`);
  return n;
}

function checkSetting(key: keyof ExpirySettings, v: unknown, what: string): number {
  const min = key === 'minSnapshotsToKeep' ? 1 : 0;
  const max = key === 'minSnapshotsToKeep' ? MAX_MIN_SNAPSHOTS : MAX_AGE_MS;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw validation(`${what} must be a whole number from ${min} to ${max}`);
  return v;
}

/**
 * A warehouse's expiry defaults (history.expire.*) as an administrator sets them: whole numbers in range, else a 400
 * naming the property (a table's own properties stay lenient: an engine wrote them, fromProperties ignores a bad one).
 */
export function checkExpiryProperties(props: Record<string, string>): void {
  for (const key of Object.keys(PROPERTY) as (keyof ExpirySettings)[]) {
    const raw = props[PROPERTY[key]];
    if (raw === undefined) continue;
    if (!/^\d{1,16}$/.test(raw)) throw validation(`${PROPERTY[key]} must be a whole number`);
    checkSetting(key, Number(raw), PROPERTY[key]);
  }
}

/** A table property or warehouse default that does not parse counts as unset (the request and the defaults decide). */
export function fromProperties(props: Record<string, string> | undefined): Partial<ExpirySettings> {
  const out: Partial<ExpirySettings> = {};
  for (const key of Object.keys(PROPERTY) as (keyof ExpirySettings)[]) {
    const raw = props?.[PROPERTY[key]];
    if (raw === undefined || !/^\d{1,16}$/.test(raw)) continue;
    try {
      out[key] = checkSetting(key, Number(raw), PROPERTY[key]);
    } catch {
      // ignored: see above
    }
  }
  return out;
}

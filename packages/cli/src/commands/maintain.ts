/**
 * `lakegate maintain TABLE`: runs a table's maintenance now through the management API (snapshot expiry, then the
 * removal of orphan files; or, with --compact, the compaction of its small data files; with --rewrite-manifests, the
 * merge of its small manifests; or, with --optimize, a Lance table's optimize), or with --dry-run reports
 * what it would remove or rewrite.
 */
import { parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { parseObjectIdentifier } from '../cli/identifiers.js';
import { table } from '../cli/output.js';
import { openCatalog, openManagement, type Settings } from '../cli/settings.js';
import { parseCompactionOrder, SortOrderTextError } from '@lakegate/client';

/** --sort-order's text as the API's sort-order (sort fields, or a zorder); text that is not one is a usage error (exit 2). */
function sortOrderOf(text: string, idOf: (name: string) => number | undefined) {
  try {
    return parseCompactionOrder(text, idOf);
  } catch (e) {
    if (e instanceof SortOrderTextError) throw new UsageError(`--sort-order: ${e.message}`);
    throw e;
  }
}

/** The table's top-level columns by name, from its current schema (loaded through the Iceberg API). */
async function columnIds(settings: Settings, id: ReturnType<typeof parseObjectIdentifier>): Promise<(name: string) => number | undefined> {
  const { metadata } = await openCatalog(settings).loadTable(id);
  const schema = metadata.schemas?.find((s) => s['schema-id'] === metadata['current-schema-id']);
  const byName = new Map((schema?.fields ?? []).map((f) => [f.name, f.id]));
  return (name) => byName.get(name);
}

export const MAINTAIN_HELP = `usage: lakegate maintain NAMESPACE.TABLE [options] [-w WAREHOUSE]

Expires the table's snapshots and deletes the files only they reached, then deletes orphan files (needs table:maintain).
  --dry-run                       report what would be removed, change nothing
  --expire-only | --orphans-only  one action only
  --compact                       compaction only: small data files rewritten per partition into files near the
                                  target size, committed as a replace snapshot (concurrent appends are kept)
  --optimize                      a Lance table (catalog-managed versions): its small fragments compacted and its
                                  indexes brought up to date by the Lance library, committed as new managed versions
  --target-file-size-bytes N      (default: the table's write.target-file-size-bytes, else 128 MiB)
  --min-input-files N             fewer small files in a partition are left as they are, unless over the
                                  target together or with deletes over 30% of a file's rows (default 2)
  --max-file-group-size-bytes N   input bytes rewritten as one group, its output cut into target-size files
                                  (default: the target with sort, which holds a group in memory; twice it
                                  with binpack)
  --min-file-size-bytes N         files below it are rewritten (default 3/4 of the target)
  --max-file-size-bytes N         files above it are split into target-size files (default 1.8 times the target)
  --delete-file-threshold N       a file with at least N delete files is rewritten, whatever its size (default off)
  --delete-ratio-threshold R      a file with at least this share of its rows deleted is rewritten (0 < R <= 1;
                                  default 0.3)
  --partial-progress              file groups committed as they finish, so a failing group loses only its own
                                  work (Spark's partial-progress; needs the spark compaction executor)
  --partial-progress-max-commits N  in at most N commits (1 to 1000; Spark's default 10); implies --partial-progress
  --strategy binpack|sort         sort: rows written in the table's sort order (default: sort for a sorted table)
  --sort-order ORDER              sort by this instead of the table's order, as Spark's sort_order: columns or
                                  transforms, ASC|DESC, NULLS FIRST|LAST, e.g. "id DESC NULLS LAST, truncate(4, name)";
                                  or "zorder(x, y)": rows in z-order by those columns (Iceberg's z-order key)
  --rewrite-manifests             manifest rewrite only: small manifests merged, clustered by partition, into
                                  manifests near the target size (metadata only), committed as a replace snapshot
  --target-manifest-size-bytes N  (default: the table's commit.manifest.target-size-bytes, else 8 MiB)
  --min-snapshots-to-keep N       (default: the table's history.expire.min-snapshots-to-keep, else 1)
  --max-snapshot-age-ms MS        (default: history.expire.max-snapshot-age-ms, else 5 days)
  --max-ref-age-ms MS             (default: history.expire.max-ref-age-ms, else never)
  --orphan-older-than-ms MS       orphans younger than this are kept (default 3 days)
  --status                        show the table's job instead (any replica's): running with its progress, or how the last one ended`;

const int = (v: unknown, flag: string): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(String(v))) throw new UsageError(`${flag} expects a whole number, got ${JSON.stringify(v)}`);
  return Number(v);
};

export async function maintain(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    'dry-run': { type: 'boolean' },
    'expire-only': { type: 'boolean' },
    'orphans-only': { type: 'boolean' },
    compact: { type: 'boolean' },
    'rewrite-manifests': { type: 'boolean' },
    'target-manifest-size-bytes': { type: 'string' },
    optimize: { type: 'boolean' },
    'target-file-size-bytes': { type: 'string' },
    'min-input-files': { type: 'string' },
    'max-file-group-size-bytes': { type: 'string' },
    'min-file-size-bytes': { type: 'string' },
    'max-file-size-bytes': { type: 'string' },
    'delete-file-threshold': { type: 'string' },
    'delete-ratio-threshold': { type: 'string' },
    'partial-progress': { type: 'boolean' },
    'partial-progress-max-commits': { type: 'string' },
    strategy: { type: 'string' },
    'sort-order': { type: 'string' },
    'min-snapshots-to-keep': { type: 'string' },
    'max-snapshot-age-ms': { type: 'string' },
    'max-ref-age-ms': { type: 'string' },
    'orphan-older-than-ms': { type: 'string' },
    status: { type: 'boolean' },
  });
  if (values.help) return help(MAINTAIN_HELP);
  const [name] = positionalArgs(positionals, ['NAMESPACE.TABLE']);
  if ([values['expire-only'], values['orphans-only'], values.compact, values['rewrite-manifests'], values.optimize].filter(Boolean).length > 1)
    throw new UsageError('give one of --expire-only, --orphans-only, --compact, --rewrite-manifests and --optimize');
  const { out, settings } = commandContext(values);
  if (!settings.warehouse) throw new UsageError('maintain needs a warehouse: --warehouse NAME, $LAKEGATE_WAREHOUSE or a profile with one');
  const id = parseObjectIdentifier(name!, undefined);
  if (values.status) {
    const job = await openManagement(settings).getTableMaintenance(settings.warehouse, id);
    out.result(job, () => {
      const p = job.progress;
      const counts = p
        ? `; ${p['manifests-scanned']} manifest(s), ${p['files-scanned']} file(s) scanned; ${p['files-deleted']} file(s), ${p['bytes-deleted']} byte(s) deleted`
        : '';
      const since = job['started-at-ms'] ? ` (started ${new Date(job['started-at-ms']).toISOString()})` : '';
      return `${job.state}${p && p.phase !== job.state ? ` (${p.phase})` : ''}${since}${counts}${p?.error ? `\nerror: ${p.error}` : ''}`;
    });
    return 0;
  }
  if (values['sort-order'] !== undefined && !values.compact) throw new UsageError('--sort-order goes with --compact');
  for (const flag of ['partial-progress', 'partial-progress-max-commits'] as const)
    if (values[flag] !== undefined && !values.compact) throw new UsageError(`--${flag} goes with --compact`);
  const maxCommits = int(values['partial-progress-max-commits'], '--partial-progress-max-commits');
  const partialProgress =
    values['partial-progress'] || maxCommits !== undefined ? { enabled: true, ...(maxCommits !== undefined ? { 'max-commits': maxCommits } : {}) } : undefined;
  // Columns by name, as the table's current schema names them (the API takes Iceberg sort fields, by field id).
  const ratio = values['delete-ratio-threshold'];
  if (ratio !== undefined && !/^(\d+(\.\d+)?|\.\d+)$/.test(ratio))
    throw new UsageError(`--delete-ratio-threshold expects a decimal, got ${JSON.stringify(ratio)}`);
  const sortOrder = values['sort-order'] === undefined ? undefined : sortOrderOf(values['sort-order'], await columnIds(settings, id));
  const request = {
    ...(values['expire-only']
      ? { actions: ['expire-snapshots' as const] }
      : values['orphans-only']
        ? { actions: ['remove-orphan-files' as const] }
        : values.compact
          ? { actions: ['rewrite-data-files' as const] }
          : values['rewrite-manifests']
            ? { actions: ['rewrite-manifests' as const] }
            : values.optimize
              ? { actions: ['optimize' as const] }
              : {}),
    ...(values['dry-run'] ? { 'dry-run': true } : {}),
    ...(values.strategy !== undefined ? { strategy: values.strategy as 'binpack' | 'sort' } : {}),
    ...(sortOrder !== undefined ? { 'sort-order': sortOrder } : {}),
    ...(partialProgress !== undefined ? { 'partial-progress': partialProgress } : {}),
    ...(ratio !== undefined ? { 'delete-ratio-threshold': Number(ratio) } : {}),
    ...Object.fromEntries(
      (
        [
          'min-snapshots-to-keep',
          'max-snapshot-age-ms',
          'max-ref-age-ms',
          'orphan-older-than-ms',
          'target-file-size-bytes',
          'min-input-files',
          'max-file-group-size-bytes',
          'min-file-size-bytes',
          'max-file-size-bytes',
          'delete-file-threshold',
          'target-manifest-size-bytes',
        ] as const
      ).flatMap((k) => {
        const v = int(values[k], `--${k}`);
        return v === undefined ? [] : [[k, v]];
      }),
    ),
  };
  const result = await out.progress(
    values['dry-run']
      ? 'planning maintenance'
      : values.compact
        ? 'compacting'
        : values['rewrite-manifests']
          ? 'rewriting manifests'
          : values.optimize
            ? 'optimizing'
            : 'running maintenance',
    () => openManagement(settings).runTableMaintenance(settings.warehouse!, id, request),
  );
  out.result(result, () => {
    const o = result.optimize;
    if (o)
      return `optimized: ${o['fragments-removed']} fragment(s) compacted into ${o['fragments-added']}; latest version ${o['version-before']} → ${o['version-after']}`;
    const m = result.manifests;
    if (m) {
      const what = `${m['rewritten-manifests']} small manifest(s) (${m['entries-processed']} entries) into ${m['added-manifests']}`;
      if (m.outcome === 'committed') return `merged ${what}; ${m['kept-manifests']} kept; replace snapshot ${m['snapshot-id']}`;
      if (m.outcome === 'dry-run') return `would merge ${what} (dry run)`;
      return m.outcome === 'conflict' ? `manifest rewrite gave up, nothing committed: ${m.reason}` : 'no manifests to merge';
    }
    const c = result.compaction;
    if (c) {
      const what = `${c['rewritten-data-files']} small file(s) of ${c['rewritten-bytes']} byte(s) in ${c.groups} group(s)`;
      const how = ` (${c.strategy}, target ${c['target-file-size-bytes']} bytes)`;
      if (c.outcome === 'committed') return `compacted ${what} into ${c['added-data-files']} file(s)${how}; replace snapshot ${c['snapshot-id']}`;
      if (c.outcome === 'dry-run') return `would compact ${what}${how} (dry run)`;
      return c.outcome === 'conflict' ? `compaction gave up, nothing committed: ${c.reason}` : 'nothing to compact';
    }
    const verb = result['dry-run'] ? 'would remove' : 'removed';
    const head = `${result['expired-snapshots'].length} snapshot(s) expired${result['dry-run'] ? ' (dry run)' : ''}; ${verb} ${result.files.length} file(s)`;
    return result.files.length ? `${head}:\n${table(result.files, ['kind', 'bytes', 'path'])}` : head;
  });
  return 0;
}

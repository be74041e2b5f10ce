/**
 * `lakegate maintain TABLE`: runs a table's maintenance now through the management API (snapshot expiry, then the
 * removal of orphan files; or, with --compact, the compaction of its small data files), or with --dry-run reports
 * what it would remove or rewrite.
 */
import { parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { parseObjectIdentifier } from '../cli/identifiers.js';
import { table } from '../cli/output.js';
import { openManagement } from '../cli/settings.js';

export const MAINTAIN_HELP = `usage: lakegate maintain NAMESPACE.TABLE [options] [-w WAREHOUSE]

Expires the table's snapshots and deletes the files only they reached, then deletes orphan files (needs table:maintain).
  --dry-run                       report what would be removed, change nothing
  --expire-only | --orphans-only  one action only
  --compact                       compaction only: small data files rewritten per partition into files near the
                                  target size, committed as a replace snapshot (concurrent appends are kept)
  --target-file-size-bytes N      (default: the table's write.target-file-size-bytes, else 128 MiB)
  --min-input-files N             fewer small files in a partition are left as they are (default 2)
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
    'target-file-size-bytes': { type: 'string' },
    'min-input-files': { type: 'string' },
    'min-snapshots-to-keep': { type: 'string' },
    'max-snapshot-age-ms': { type: 'string' },
    'max-ref-age-ms': { type: 'string' },
    'orphan-older-than-ms': { type: 'string' },
    status: { type: 'boolean' },
  });
  if (values.help) return help(MAINTAIN_HELP);
  const [name] = positionalArgs(positionals, ['NAMESPACE.TABLE']);
  if ([values['expire-only'], values['orphans-only'], values.compact].filter(Boolean).length > 1)
    throw new UsageError('give one of --expire-only, --orphans-only and --compact');
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
  const request = {
    ...(values['expire-only']
      ? { actions: ['expire-snapshots' as const] }
      : values['orphans-only']
        ? { actions: ['remove-orphan-files' as const] }
        : values.compact
          ? { actions: ['rewrite-data-files' as const] }
          : {}),
    ...(values['dry-run'] ? { 'dry-run': true } : {}),
    ...Object.fromEntries(
      (
        ['min-snapshots-to-keep', 'max-snapshot-age-ms', 'max-ref-age-ms', 'orphan-older-than-ms', 'target-file-size-bytes', 'min-input-files'] as const
      ).flatMap((k) => {
        const v = int(values[k], `--${k}`);
        return v === undefined ? [] : [[k, v]];
      }),
    ),
  };
  const result = await out.progress(values['dry-run'] ? 'planning maintenance' : values.compact ? 'compacting' : 'running maintenance', () =>
    openManagement(settings).runTableMaintenance(settings.warehouse!, id, request),
  );
  out.result(result, () => {
    const c = result.compaction;
    if (c) {
      const what = `${c['rewritten-data-files']} small file(s) of ${c['rewritten-bytes']} byte(s) in ${c.groups} group(s)`;
      if (c.outcome === 'committed') return `compacted ${what} into ${c['added-data-files']} file(s); replace snapshot ${c['snapshot-id']}`;
      if (c.outcome === 'dry-run') return `would compact ${what} (dry run)`;
      return c.outcome === 'conflict' ? `compaction gave up, nothing committed: ${c.reason}` : 'nothing to compact';
    }
    const verb = result['dry-run'] ? 'would remove' : 'removed';
    const head = `${result['expired-snapshots'].length} snapshot(s) expired${result['dry-run'] ? ' (dry run)' : ''}; ${verb} ${result.files.length} file(s)`;
    return result.files.length ? `${head}:\n${table(result.files, ['kind', 'bytes', 'path'])}` : head;
  });
  return 0;
}

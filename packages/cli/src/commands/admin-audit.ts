/** `lakegate admin audit`: one page of the audit trail, newest first, through the SDK's management client. */
import type { AuditEvent } from '@lakegate/client';
import { parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { table } from '../cli/output.js';
import { openManagement } from '../cli/settings.js';
import { ADMIN_HELP } from './admin-help.js';

const DEFAULT_LIMIT = 50;
const AGE_UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export async function audit(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    tenant: { type: 'string' },
    actor: { type: 'string' },
    object: { type: 'string' },
    action: { type: 'string' },
    type: { type: 'string' },
    decision: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    before: { type: 'string' },
  });
  if (values.help) return help(ADMIN_HELP);
  positionalArgs(positionals, []);
  const decision = decisionArg(values.decision);
  const limit = values.limit === undefined ? DEFAULT_LIMIT : Number(values.limit);
  if (!/^\d+$/.test(values.limit ?? '1') || limit < 1 || limit > 1000) throw new UsageError('--limit is a whole number from 1 to 1000');
  const now = Date.now();
  const filter = {
    ...(values.tenant === undefined ? {} : { tenant: values.tenant }),
    ...(values.actor === undefined ? {} : { actor: values.actor }),
    ...(values.object === undefined ? {} : { object: values.object }),
    ...(values.action === undefined ? {} : { action: values.action }),
    ...(values.type === undefined ? {} : { type: values.type }),
    ...(decision === undefined ? {} : { decision }),
    ...(values.since === undefined ? {} : { since: timeArg(values.since, '--since', now) }),
    ...(values.until === undefined ? {} : { until: timeArg(values.until, '--until', now) }),
  };
  const { out, settings } = commandContext(values);
  const page = await out.progress('reading the audit trail', () =>
    openManagement(settings).listAudit(filter, { limit, ...(values.before === undefined ? {} : { before: values.before }) }),
  );
  out.result(page, () => (page.events.length ? table(page.events.map(eventRow), ['time', 'decision', 'actor', 'action', 'object', 'type']) : 'no events'));
  if (page.next) out.note(`more events: repeat with --before ${page.next}`);
  return 0;
}

function decisionArg(value: string | undefined): 'allow' | 'deny' | undefined {
  if (value === undefined || value === 'allow' || value === 'deny') return value;
  throw new UsageError('--decision is allow or deny');
}

function eventRow(event: AuditEvent): Record<string, string> {
  return {
    time: new Date(event.atMs).toISOString(),
    decision: event.decision ?? '-',
    actor: event.actor,
    action: event.action ?? '-',
    object: event.object ?? '-',
    type: event.type,
  };
}

/** ISO 8601 text and epoch milliseconds pass as they are (the server reads both); an age (`30m`, `7d`) is counted back from now. */
function timeArg(value: string, flag: string, now: number): string | number {
  const age = /^(\d+)([smhd])$/.exec(value);
  if (age) return now - Number(age[1]) * AGE_UNITS[age[2]!]!;
  if (/^\d+$/.test(value) || !Number.isNaN(Date.parse(value))) return value;
  throw new UsageError(`${flag} is an ISO 8601 time, epoch milliseconds, or an age such as 30m, 12h, 7d`);
}

/**
 * Reading the audit trail: administrators of a tenant read their tenant's
 * events; platform administrators (admins of the default tenant by
 * credential) read every tenant's, or one tenant's with `tenant=`.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { type Actor } from '../actor.js';
import { isPlatformAdmin } from '../authz/tenants.js';
import type { AuditEvent, AuditQuery, IdentityRepository } from '../ports.js';

export interface AuditFilter {
  tenant?: string | undefined;
  actor?: string | undefined;
  object?: string | undefined;
  action?: string | undefined;
  type?: string | undefined;
  decision?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: string | undefined;
  /** The `next` cursor of the previous page. */
  before?: string | undefined;
}

const bad = (message: string) => new CatalogError('ERR_VALIDATION', message);

function millis(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) throw bad(`${what} must be epoch milliseconds or an ISO 8601 time`);
  return n;
}

function text(value: string | undefined, what: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value.length > 500) throw bad(`${what} is longer than 500 characters`);
  return value;
}

export class AuditReader {
  constructor(
    private readonly repo: IdentityRepository,
    private readonly isAdmin: (actor: Actor) => Promise<boolean>,
    /** Writes events still waiting in the trail's batch, so a reader sees everything recorded before its request. */
    private readonly flush: () => Promise<void>,
  ) {}

  async list(actor: Actor, filter: AuditFilter): Promise<{ events: AuditEvent[]; next: string | null }> {
    // validate
    const limit = filter.limit === undefined ? 100 : Number(filter.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw bad('limit must be 1..1000');
    if (filter.decision !== undefined && filter.decision !== 'allow' && filter.decision !== 'deny') throw bad('decision must be allow or deny');
    let before: AuditQuery['before'];
    if (filter.before) {
      const [at, id] = Buffer.from(filter.before, 'base64url').toString('utf8').split('\u001f');
      if (!at || !id || !/^\d+$/.test(at)) throw bad('before is not a cursor of this trail');
      before = { atMs: Number(at), id };
    }
    // authorize: a tenant's admins read their tenant; platform admins any (or all)
    if (!(await this.isAdmin(actor))) throw new CatalogError('ERR_FORBIDDEN', 'reading the audit trail needs the admin role');
    const platform = isPlatformAdmin(actor);
    const tenant = filter.tenant === undefined || filter.tenant === '' ? (platform ? undefined : actor.tenant) : filter.tenant;
    if (!platform && tenant !== actor.tenant) throw new CatalogError('ERR_FORBIDDEN', "an administrator of a tenant reads only its own tenant's audit trail");
    // execute
    await this.flush();
    const events = await this.repo.listAudit({
      tenant,
      actor: text(filter.actor, 'actor'),
      object: text(filter.object, 'object'),
      action: text(filter.action, 'action'),
      type: text(filter.type, 'type'),
      decision: filter.decision as 'allow' | 'deny' | undefined,
      sinceMs: millis(filter.since, 'since'),
      untilMs: millis(filter.until, 'until'),
      before,
      limit,
    });
    const last = events.at(-1);
    return { events, next: events.length === limit && last ? Buffer.from(`${last.atMs}\u001f${last.id}`, 'utf8').toString('base64url') : null };
  }
}

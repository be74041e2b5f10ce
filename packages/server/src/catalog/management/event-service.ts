/**
 * The pull API of the outbox (GET /management/v1/events): a warehouse's change events after a cursor, in sequence
 * order, filtered to what the caller may see: validate → authorize → execute. Visibility is decided through the
 * Authorizer port, in one batched check per page, on the object's current place in the catalog:
 *   - table and Lance table events: `table:read-metadata` on the table (when a table of that name and uuid exists
 *     now), else on its namespace (inherited grants), else on the warehouse;
 *   - view events: `view:read` the same way;
 *   - namespace events: any privilege on the namespace, else `namespace:list` on the warehouse;
 *   - multi-table transaction events: `table:read-metadata` on the warehouse;
 *   - grant changes: `grants:manage` on the warehouse.
 * An event the caller may not see is skipped, never answered 403: the cursor moves past it. A cursor whose next
 * events retention deleted is answered 410 (expired.ts), never with the events after the deleted ones.
 */
import { validation } from '../../errors/catalog-error.js';
import type { Check } from '../access/access-service.js';
import type { SecurablePath } from '../ports/access.js';
import type { CatalogRequest, RequestScope, ServiceContext } from '../context.js';
import type { OutboxEvent } from '../ports/outbox.js';
import { EVENT_TYPE_PREFIX } from '../outbox/changes.js';
import { refuseExpired } from '../outbox/expired.js';

export const MAX_EVENTS_PAGE = 1000;
export const DEFAULT_EVENTS_PAGE = 100;

export interface EventPage {
  events: OutboxEvent[];
  /** Pass as `after` for the next page: the last sequence looked at (also past events the caller may not see). */
  next: number;
  /** True when the page was full: more events may follow at once. */
  more: boolean;
}

/** What the pull says about retention (compose/events.ts): how long events are kept, for the 410's message. */
export interface EventRetention {
  retentionDays: number;
}

export class EventService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly retention: EventRetention = { retentionDays: 0 },
  ) {}

  async list(request: CatalogRequest, input: { after?: unknown; limit?: unknown }): Promise<EventPage> {
    // validate
    const after = checkCursor(input.after);
    const limit = checkLimit(input.limit);
    const scope = await this.ctx.scope(request);
    // execute (the read first: what to authorize depends on the events)
    const events = await this.ctx.store.outbox.list(scope.warehouse.name, after, limit);
    const head = events.length === 0 ? await refusePastHead(after, () => this.ctx.store.outbox.head(scope.warehouse.name)) : undefined;
    await refuseExpired(after, events, head, () => this.ctx.store.outbox.deletedThrough(scope.warehouse.name), this.retention.retentionDays);
    // authorize
    const visible = await this.visible(scope, events);
    return { events: events.filter((_, i) => visible[i]), next: events.at(-1)?.sequence ?? after, more: events.length === limit };
  }

  /** The latest sequence of the warehouse (for lag: head minus a consumer's cursor). */
  async head(request: CatalogRequest): Promise<number> {
    const scope = await this.ctx.scope(request);
    return this.ctx.store.outbox.head(scope.warehouse.name);
  }

  private async visible(scope: RequestScope, events: readonly OutboxEvent[]): Promise<boolean[]> {
    if (events.length === 0) return [];
    const warehouse = this.ctx.access.warehousePath(scope.warehouse);
    const namespaces = new Map<string, Promise<SecurablePath | undefined>>();
    const namespacePath = (levels: string[]) => {
      const key = levels.join('\u001f');
      let found = namespaces.get(key);
      if (!found) namespaces.set(key, (found = this.ctx.access.namespacePath(scope.warehouse, levels).then((r) => (r.missing ? undefined : r.path))));
      return found;
    };
    const checks: Check[] = [];
    for (const e of events) checks.push(await this.checkFor(scope, e, warehouse, namespacePath));
    return this.ctx.access.allows(scope, checks);
  }

  private async checkFor(
    scope: RequestScope,
    e: OutboxEvent,
    warehouse: SecurablePath,
    namespacePath: (levels: string[]) => Promise<SecurablePath | undefined>,
  ): Promise<Check> {
    const kind = e.type.startsWith(EVENT_TYPE_PREFIX) ? e.type.slice(EVENT_TYPE_PREFIX.length) : e.type;
    const namespace = Array.isArray(e.data.namespace) ? (e.data.namespace as string[]) : undefined;
    const name = typeof e.data.name === 'string' ? e.data.name : undefined;
    if (kind.startsWith('namespace.') && namespace) {
      const path = await namespacePath(namespace);
      return path ? { privilege: 'any', path } : { privilege: 'namespace:list', path: warehouse };
    }
    // Grant changes: those who manage grants in the warehouse.
    if (kind.startsWith('grant.')) return { privilege: 'grants:manage', path: warehouse };
    // Function changes: those who may read functions in the namespace (function grants are by container).
    if (kind.startsWith('function.')) return { privilege: 'function:read', path: (namespace && (await namespacePath(namespace))) || warehouse };
    const privilege = kind.startsWith('view.') ? 'view:read' : 'table:read-metadata';
    if (!namespace || name === undefined) return { privilege, path: warehouse };
    const nsPath = await namespacePath(namespace);
    if (!nsPath) return { privilege, path: warehouse };
    const record = await this.ctx.store.repository.getObject(scope.warehouse.name, namespace, name);
    if (record && record.uuid === e.partitionKey && (record.kind !== 'view') === (privilege === 'table:read-metadata')) {
      return { privilege, path: this.ctx.access.objectPath(nsPath, record.kind === 'view' ? 'view' : 'table', record.id) };
    }
    return { privilege, path: nsPath };
  }
}

export function checkCursor(v: unknown): number {
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw validation('after must be a sequence number (a non-negative integer)');
  return n;
}

/**
 * A cursor past the stream's head was never handed out (every `next` is a sequence that exists, or the cursor sent):
 * answering it with an empty page would leave the consumer waiting, without a word, for events it would then skip.
 * Checked only when a page is empty, so a pull that finds events costs no extra read. Returns the head it read
 * (undefined for after=0, when none is read), which the expired-cursor check reuses (expired.ts).
 */
export async function refusePastHead(after: number, head: () => Promise<number>): Promise<number | undefined> {
  if (after === 0) return undefined;
  const latest = await head();
  if (after > latest) throw validation(`after (${after}) is past the last event of this stream (${latest}): it is not a cursor this stream gave out`);
  return latest;
}

export function checkLimit(v: unknown): number {
  if (v === undefined || v === null || v === '') return DEFAULT_EVENTS_PAGE;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_EVENTS_PAGE) throw validation(`limit must be an integer from 1 to ${MAX_EVENTS_PAGE}`);
  return n;
}

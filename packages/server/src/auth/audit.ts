/**
 * The audit trail: every token issuance, every management change and every
 * authorization decision on a data-bearing action is recorded with who did
 * it (and for whom: the act chain), in which tenant, on what, and with what
 * outcome. Each event is logged at once; rows reach the database in small
 * batches (one transaction per batch, flushed within FLUSH_MS or on close),
 * so that auditing every credential hand-out does not put a synchronous
 * database write on the hot path of loadTable. On SQLite the batches are
 * written by a thread of their own (compose/audit-thread.ts), so their commit
 * and fsync do not hold the request thread either.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditEvent, AuditWriter } from './ports.js';

export interface AuditContext {
  /** The tenant the event belongs to (tenant admins read their own tenant's trail). */
  tenant?: string;
  /** allow | deny, for authorization decisions. */
  decision?: 'allow' | 'deny';
  /** The privilege or operation decided on, e.g. "table:read-data". */
  action?: string;
  /** The object acted on, e.g. "lake/sales.orders". */
  object?: string;
  requestId?: string;
}

const FLUSH_MS = 50;
const MAX_BATCH = 500;

export class AuditTrail {
  private pending: AuditEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly writer: AuditWriter,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  /** Records an event: logged now, stored with the next batch (awaitable through flush()). */
  async record(type: string, actor: string, detail: Record<string, unknown>, context: AuditContext = {}): Promise<void> {
    const atMs = this.now();
    const event: AuditEvent = { id: this.nextId(atMs), atMs, type, actor, detail, tenant: context.tenant ?? 'default', ...optional(context) };
    this.logger.info({ audit: event }, type);
    this.pending.push(event);
    if (this.pending.length >= MAX_BATCH) {
      await this.flush();
      return;
    }
    this.timer ??= setTimeout(() => void this.flush().catch((err: unknown) => this.logger.error({ err }, 'writing the audit trail failed')), FLUSH_MS);
  }

  private lastMs = 0;
  private sequence = 0;

  /**
   * Ids sort like the events of this process happened (the trail lists by time, then id): the time, a sequence
   * within the millisecond, and random bits so that the ids of two replicas never clash.
   */
  private nextId(atMs: number): string {
    this.sequence = atMs === this.lastMs ? this.sequence + 1 : 0;
    this.lastMs = atMs;
    return `${atMs.toString(16).padStart(12, '0')}-${this.sequence.toString(16).padStart(6, '0')}-${randomUUID().slice(0, 8)}`;
  }

  /** Writes every pending event; resolves once they are stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (this.writer.ordered) {
      // The writer keeps the order and resolves each batch after the ones before: handed over at once (an empty
      // flush still waits for the batches before it).
      this.flushing = batch.length > 0 ? this.writer.insertAudit(batch) : this.flushing.catch(() => undefined);
      return this.flushing;
    }
    // Batches are written one after the other, so the trail keeps its order.
    this.flushing = this.flushing.catch(() => undefined).then(() => (batch.length > 0 ? this.writer.insertAudit(batch) : undefined));
    return this.flushing;
  }
}

function optional(c: AuditContext): Partial<AuditEvent> {
  const out: Partial<AuditEvent> = {};
  if (c.decision !== undefined) out.decision = c.decision;
  if (c.action !== undefined) out.action = c.action;
  if (c.object !== undefined) out.object = c.object;
  if (c.requestId !== undefined) out.requestId = c.requestId;
  return out;
}

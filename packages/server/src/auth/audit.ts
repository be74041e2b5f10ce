/** The audit trail: every token issuance (and later every authorization decision) is recorded with who did it. */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { IdentityRepository } from './ports.js';

export class AuditTrail {
  constructor(
    private readonly repo: IdentityRepository,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  async record(type: string, actor: string, detail: Record<string, unknown>): Promise<void> {
    const event = { id: randomUUID(), atMs: this.now(), type, actor, detail };
    this.logger.info({ audit: event }, type);
    await this.repo.insertAudit(event);
  }
}

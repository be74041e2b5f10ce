/** Console sessions in memory: the reference implementation of the SessionRepository contract (tests, single process). */
import type { SessionRecord, SessionRepository } from '../../auth/sessions/ports.js';

export class MemorySessionRepository implements SessionRepository {
  private readonly sessions = new Map<string, SessionRecord>();

  async insertSession(session: SessionRecord): Promise<void> {
    if (this.sessions.has(session.idHash)) throw new Error('session exists');
    this.sessions.set(session.idHash, structuredClone(session));
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const s = this.sessions.get(idHash);
    return s ? structuredClone(s) : undefined;
  }

  async deleteSession(idHash: string): Promise<boolean> {
    return this.sessions.delete(idHash);
  }

  async deleteExpiredSessions(nowMs: number): Promise<number> {
    let n = 0;
    for (const [k, s] of this.sessions) if (s.expiresAtMs <= nowMs && this.sessions.delete(k)) n++;
    return n;
  }
}

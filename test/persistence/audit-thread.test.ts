/**
 * The audit thread (compose/audit-thread.ts) against a real SQLite file: group commit (batches handed over while a
 * write waits are committed together), failures as the store reports them (a bad batch alone, an outage for all),
 * and acknowledged batches surviving the process being killed. Runs the built module (dist/): build first.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../packages/server/src/auth/ports.js';
import { AuditThread, auditThreadEntry } from '../../packages/server/src/compose/audit-thread.js';
import { CatalogError } from '../../packages/server/src/errors/catalog-error.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';

const temp = tempDir('lakegate-audit-thread-');
afterAll(() => temp.cleanup());
let n = 0;

async function migrated(): Promise<{ file: string; store: SqliteCatalogStore }> {
  const file = path.join(temp.dir, `audit-${n++}.sqlite`);
  const store = new SqliteCatalogStore(file);
  await store.migrate();
  return { file, store };
}
const events = (count: number, prefix: string): AuditEvent[] =>
  Array.from({ length: count }, (_v, i) => ({
    id: `${prefix}-${String(i).padStart(4, '0')}`,
    atMs: 1_000 + i,
    type: 'access.denied',
    actor: 'service:x',
    detail: { i },
    tenant: 'default',
    decision: 'deny',
  }));
const storedIds = async (s: SqliteCatalogStore) => (await s.identity.listAudit({ limit: 10_000 })).map((e) => e.id);
const thread = (file: string) => new AuditThread({ file, graceMs: 10_000, warn: () => undefined });

describe('the audit thread', () => {
  it('commits the batches handed over while a write waits in one transaction, each acknowledged, none lost', async () => {
    const { file, store } = await migrated();
    const t = thread(file);
    await t.insertAudit(events(3, 'first'));
    expect(t.counts).toEqual({ transactions: 1, batches: 1, events: 3 });
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    // Five batches while the write lock is held: the thread waits with the first it took, the rest queue behind it.
    const writes = Array.from({ length: 5 }, (_v, b) => t.insertAudit(events(40, `b${b}`)));
    holder.exec('COMMIT');
    holder.close();
    await Promise.all(writes);
    expect(t.counts.batches).toBe(6);
    expect(t.counts.events).toBe(203);
    // One transaction for the five, or two if the thread had taken the first alone before the others arrived.
    expect(t.counts.transactions - 1).toBeLessThanOrEqual(2);
    const ids = await storedIds(store);
    expect(ids).toHaveLength(203);
    await t.stop();
    await store.close();
  });

  it('writes a failing batch of a group alone: it fails as the store reports it, the others are stored', async () => {
    const { file, store } = await migrated();
    const bad = [...events(2, 'bad'), events(1, 'bad')[0]!];
    const direct = await store.identity.insertAudit(bad).catch((e: unknown) => e as Error & { code?: string });
    const t = thread(file);
    // Handed over together before the thread runs: one group, written again batch by batch.
    const results = await Promise.allSettled([t.insertAudit(events(5, 'a')), t.insertAudit(bad), t.insertAudit(events(5, 'c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const error = (results[1] as PromiseRejectedResult).reason as Error & { code?: string };
    expect([error.name, error.code, error.message]).toEqual([direct!.name, direct!.code, direct!.message]);
    expect(error.code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
    expect((await storedIds(store)).sort()).toEqual([...events(5, 'a'), ...events(5, 'c')].map((e) => e.id).sort());
    await t.stop();
    await store.close();
  });

  it('reports a write lock held past busy_timeout as the store does: ERR_UNAVAILABLE (a 503), for every batch waiting', async () => {
    const { file, store } = await migrated();
    const t = thread(file);
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    try {
      const results = await Promise.allSettled([t.insertAudit(events(2, 'x')), t.insertAudit(events(2, 'y'))]);
      for (const r of results) {
        expect(r.status).toBe('rejected');
        const reason = (r as PromiseRejectedResult).reason as CatalogError;
        expect(reason).toBeInstanceOf(CatalogError);
        expect(reason.code).toBe('ERR_UNAVAILABLE');
      }
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    // The next batch is written.
    await t.insertAudit(events(1, 'z'));
    expect(await storedIds(store)).toEqual(['z-0000']);
    await t.stop();
    await store.close();
  }, 30_000);

  it('keeps every acknowledged batch when the process is killed right after', async () => {
    const { file, store } = await migrated();
    const entry = auditThreadEntry();
    expect(entry).toBeDefined();
    const module = new URL('./audit-thread.js', entry!).href;
    // A process that writes batches one after the other, prints each acknowledged one, and kills itself (SIGKILL:
    // nothing is flushed or closed).
    const script = `
      const { AuditThread } = await import(${JSON.stringify(module)});
      const t = new AuditThread({ file: ${JSON.stringify(file)}, graceMs: 1000, warn: () => {} });
      for (let b = 0; b < 20; b++) {
        await t.insertAudit([{ id: 'k' + String(b).padStart(3, '0'), atMs: 1000 + b, type: 't', actor: 'a', detail: {}, tenant: 'default' }]);
        process.stdout.write('k' + String(b).padStart(3, '0') + '\\n');
      }
      t.insertAudit([{ id: 'unacknowledged', atMs: 2000, type: 't', actor: 'a', detail: {}, tenant: 'default' }]).catch(() => {});
      process.kill(process.pid, 'SIGKILL');
    `;
    const scriptFile = path.join(temp.dir, 'killed.mjs');
    writeFileSync(scriptFile, script);
    let out = '';
    try {
      execFileSync(process.execPath, [scriptFile], { encoding: 'utf8' });
    } catch (err) {
      out = (err as { stdout: string }).stdout;
    }
    const acknowledged = out.split('\n').filter(Boolean);
    expect(acknowledged).toHaveLength(20);
    const stored = await storedIds(store);
    for (const id of acknowledged) expect(stored).toContain(id);
    await store.close();
  });
});

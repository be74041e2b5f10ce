/**
 * Hands each committed transaction's outbox events to the store's ChangeListener (catalog/ports/change-listener.ts),
 * once, after COMMIT, and never those of a transaction that rolled back. By hand because Kysely has no after-commit
 * hook: every outbox write (insertOutboxEvents, the one statement all of them run, whichever port and whatever Kysely
 * instance derived from the store's began the transaction) notes its events on the transaction's connection, and the
 * store's driver wrapper (mapped-driver.ts) says when that connection's transaction ended.
 */
import type { DatabaseConnection, Kysely } from 'kysely';
import { type ChangeListener, ignoreChanges } from '../catalog/ports/change-listener.js';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import { MappedConnection, type TransactionEnds } from './mapped-driver.js';
import type { CatalogDatabase } from './schema.js';

export class CommittedChanges implements TransactionEnds {
  private listener: ChangeListener = ignoreChanges;
  private readonly pending = new WeakMap<DatabaseConnection, OutboxEventInput[]>();

  listen(listener: ChangeListener): void {
    this.listener = listener;
  }

  noted(connection: DatabaseConnection, events: readonly OutboxEventInput[]): void {
    const list = this.pending.get(connection);
    if (list) list.push(...events);
    else this.pending.set(connection, [...events]);
  }

  ended(connection: DatabaseConnection, committed: boolean): void {
    const list = this.pending.get(connection);
    if (list === undefined) return;
    this.pending.delete(connection);
    if (!committed) return;
    try {
      this.listener.committed(list);
    } catch {
      // A listener's failure must not turn a committed change into an error for its caller.
    }
  }
}

/** Inside a transaction (`db` is the transaction): notes the events it wrote, for its store's listener once it committed. */
export async function noteOutboxWrite(db: Pick<Kysely<CatalogDatabase>, 'getExecutor'>, events: readonly OutboxEventInput[]): Promise<void> {
  await db.getExecutor().provideConnection(async (connection) => {
    if (connection instanceof MappedConnection && connection.ends instanceof CommittedChanges) connection.ends.noted(connection, events);
  });
}

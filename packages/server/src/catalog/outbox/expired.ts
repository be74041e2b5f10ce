/**
 * A cursor the retention sweep overtook (issue 38). The sweep deletes events past retention (compose/events.ts) and
 * records, per stream, the highest sequence it deleted (OutboxStore.deletedThrough). A consumer back with an older
 * cursor would otherwise get the next retained events and skip the deleted ones without knowing; it is answered
 * `ERR_CURSOR_EXPIRED` (410, as a Kubernetes watch answers a too old resource version) naming the oldest cursor still
 * answered, so it can resume there (accepting the loss) or read again from 0.
 *
 * Sequence gaps alone do not prove a deletion (a dropped event intent leaves a gap too), so the watermark decides. It
 * is read only when the page does not continue the cursor without a gap, or is empty below the head: a page holding
 * every number from after+1 on lost nothing (a consumer keeping up), and an empty page at the head (a consumer
 * polling) has nothing after its cursor to lose (every deleted sequence is at most the head), so neither pays a read.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { OutboxEvent } from '../ports/outbox.js';

/** The error body's field naming the oldest cursor still answered (a decimal sequence, like `next`). */
export const RESUME_AFTER = 'resume-after';

/** `head`: the stream's head when the page is empty (read by refusePastHead), else undefined. */
export async function refuseExpired(
  after: number,
  events: readonly OutboxEvent[],
  head: number | undefined,
  deletedThrough: () => Promise<number>,
  retentionDays: number,
): Promise<void> {
  if (after === 0) return;
  const last = events.at(-1);
  // Sequences are distinct and ascending: the page is after+1..last without a gap exactly when it holds last-after events.
  if (last && last.sequence - after === events.length) return;
  if (!last && head !== undefined && after >= head) return;
  const through = await deletedThrough();
  if (through <= after) return;
  const retention = retentionDays > 0 ? ` (${retentionDays} day${retentionDays === 1 ? '' : 's'})` : '';
  throw new CatalogError(
    'ERR_CURSOR_EXPIRED',
    `events after ${after} up to ${through} were deleted by retention${retention} before they were read; resume from ${through} (after=${through}, the oldest cursor still answered) or read again from 0`,
    { details: { [RESUME_AFTER]: String(through) } },
  );
}

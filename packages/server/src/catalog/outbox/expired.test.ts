/**
 * refuseExpired on the in-memory outbox: a gap a dropped event intent left (numbers held, then released) is not a
 * deletion, so a cursor before it is answered; the same cursor after the sweep deleted past it is refused with the
 * watermark; and a page that continues its cursor without a gap, or an empty one at the head, costs no watermark read.
 */
import { describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../../persistence/memory/memory-outbox.js';
import type { CatalogError } from '../../errors/catalog-error.js';
import { refuseExpired } from './expired.js';
import type { OutboxEventInput } from '../ports/outbox.js';

let n = 0;
const ev = (timeMs: number): OutboxEventInput => ({ id: `e-${++n}`, warehouse: 'w', type: 'io.lakegate.table.committed', partitionKey: 'w', timeMs, data: {} });

function counted(outbox: MemoryOutbox) {
  const reads = { n: 0 };
  return { reads, deletedThrough: () => (reads.n++, outbox.deletedThrough('w')) };
}

describe('refuseExpired', () => {
  it('answers across the gap of a dropped intent, and refuses once retention deleted past the cursor', async () => {
    const outbox = new MemoryOutbox();
    await outbox.appendEvents([ev(100), ev(100)]);
    outbox.hold('intent', 'w', 2);
    expect(outbox.release('intent')).toBe(true);
    await outbox.appendEvents([ev(300), ev(300)]);
    const page = await outbox.list('w', 2, 10);
    expect(page.map((e) => e.sequence)).toEqual([5, 6]);
    const { reads, deletedThrough } = counted(outbox);
    // A gap (3 and 4 were never written): the watermark is read, and says nothing was deleted.
    await refuseExpired(2, page, undefined, deletedThrough, 7);
    expect(reads.n).toBe(1);

    expect(await outbox.deleteBefore(200)).toBe(2);
    const error = await refuseExpired(1, await outbox.list('w', 1, 10), undefined, deletedThrough, 7).then(
      () => expect.fail('expected ERR_CURSOR_EXPIRED'),
      (e: CatalogError) => e,
    );
    expect(error.code).toBe('ERR_CURSOR_EXPIRED');
    expect(error.details).toEqual({ 'resume-after': '2' });
    expect(error.message).toContain('(7 days)');
    // The watermark itself, and the start, are answered.
    await refuseExpired(2, await outbox.list('w', 2, 10), undefined, deletedThrough, 7);
    await refuseExpired(0, await outbox.list('w', 0, 10), undefined, deletedThrough, 7);
    // Nothing left after the cursor, all of it deleted: refused too (an empty page never hides a deletion).
    expect(await outbox.deleteBefore(400)).toBe(2);
    await expect(refuseExpired(5, await outbox.list('w', 5, 10), await outbox.head('w'), deletedThrough, 1)).rejects.toMatchObject({
      code: 'ERR_CURSOR_EXPIRED',
      details: { 'resume-after': '6' },
    });
  });

  it('reads no watermark for a page that continues its cursor without a gap', async () => {
    const outbox = new MemoryOutbox();
    await outbox.appendEvents([ev(100), ev(100), ev(100)]);
    const { reads, deletedThrough } = counted(outbox);
    await refuseExpired(1, await outbox.list('w', 1, 10), undefined, deletedThrough, 7);
    await refuseExpired(0, await outbox.list('w', 0, 10), undefined, deletedThrough, 7);
    expect(reads.n).toBe(0);
    // Nor for an empty page at the head (an idle poll): nothing after the cursor exists to have been deleted.
    await refuseExpired(3, await outbox.list('w', 3, 10), await outbox.head('w'), deletedThrough, 7);
    expect(reads.n).toBe(0);
    // A page with a gap is looked at, and passes while nothing was deleted.
    outbox.hold('dropped', 'w', 1);
    outbox.release('dropped');
    await outbox.appendEvents([ev(100)]);
    await refuseExpired(3, await outbox.list('w', 3, 10), undefined, deletedThrough, 7);
    expect(reads.n).toBe(1);
  });
});

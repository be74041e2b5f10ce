/**
 * Recovery of Lance tag writes whose change event was not published (tag-events.ts): the process died, or the
 * database failed, between Lance's write of the ref and the event's publication, or the library failed in a way that
 * leaves open whether it wrote. Each such write left its intent (ports/lance-tag-intents.ts). The recovery runs when
 * the server starts and in every housekeeping sweep (compose/background.ts, each `sweepIntervalMs`), over intents older
 * than its bound (`lanceTagIntentRecoverySeconds`, 2 minutes by default: longer than a tag write takes, so a write still
 * in flight is never read too early). Each intent is claimed in the database first (one replica recovers it; a claim
 * lasts the bound, so one whose recoverer died is taken again), then the tag is read in the dataset through the tag
 * port (`LanceTagStore.version`):
 *
 *  - **It shows the intended outcome** (the tag names the version the write set, or is absent after a delete), and
 *    the tag's state just before the write, which the intent keeps, is one Lance takes the write in (no tag for a
 *    create; a tag for an update or a delete): the write happened, and its event is published, with the id it was
 *    recorded with.
 *  - **It does not** (the write never reached Lance, or another write changed the tag since), or the table is gone or
 *    was replaced under its name: the intent is dropped, no event.
 *  - **It does, but Lance refuses the write in the state before** (a create of a tag that already named that version,
 *    a delete of a tag that was not there): the write was refused and its request dropped the intent, or failed to
 *    (the database failing then): dropped, no event. Before, such an intent was published, one spurious event. An
 *    intent whose state before is not known (a tag file that was no Lance tag; recorded before migration 0036) is
 *    judged by the outcome alone, as then.
 *  - **The dataset cannot be read** (storage or the library failing): the intent is kept for a later round.
 *
 * Publishing and dropping both remove the intent, and only the call that removed it appends the event, so the outbox
 * holds a recovered event once, whoever raced for it.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { ServiceContext } from '../context.js';
import type { Caller, Warehouse } from '../ports/index.js';
import type { LanceTagIntent } from '../ports/lance-tag-intents.js';
import type { LanceTagStore } from '../ports/lance-tags.js';

/** The default age from which an intent counts as interrupted (config `lanceTagIntentRecoverySeconds`). */
export const TAG_INTENT_RECOVERY_AFTER_MS = 120_000;
const BATCH = 100;

export interface TagRecovery {
  /** Events published (the dataset showed the write). */
  published: number;
  /** Intents dropped (it did not). */
  dropped: number;
}

/**
 * One round over the intents older than `olderThanMs`, oldest first (those kept by earlier rounds last). An intent the
 * dataset cannot tell is kept and the others are recovered all the same; the round then fails naming how many failed
 * and the first reason (the sweep logs it).
 */
export async function recoverTagEvents(ctx: ServiceContext, tags: LanceTagStore | undefined, olderThanMs: number): Promise<TagRecovery> {
  const out: TagRecovery = { published: 0, dropped: 0 };
  const intents = ctx.store.lanceTagIntents;
  const now = ctx.clock.now();
  const page = await intents.pending(now - olderThanMs, BATCH);
  // Without the Lance library no tag can be read (nor written): the intents wait for a process that has it.
  if (page.length === 0 || tags === undefined || (await tags.unavailable()) !== undefined) return out;
  const failures: unknown[] = [];
  for (const intent of page) {
    if (!(await intents.claim(intent.id, now, now + olderThanMs))) continue;
    try {
      const happened = await tookEffect(ctx, tags, intent);
      if (happened ? await intents.publish(intent.id) : await intents.drop(intent.id)) out[happened ? 'published' : 'dropped'] += 1;
    } catch (e) {
      failures.push(e);
    }
  }
  if (failures.length > 0) {
    const first = failures[0] instanceof Error ? failures[0].message : String(failures[0]);
    throw new Error(`${failures.length} of ${page.length} Lance tag intents could not be recovered (kept for a later round): ${first}`, { cause: failures[0] });
  }
  return out;
}

/** Whether the dataset shows the intent's outcome; false as well when its table is gone or replaced. */
async function tookEffect(ctx: ServiceContext, tags: LanceTagStore, intent: LanceTagIntent): Promise<boolean> {
  const [warehouse, record] = await Promise.all([
    ctx.store.repository.getWarehouse(intent.warehouse),
    ctx.store.repository.getObject(intent.warehouse, intent.namespace, intent.name),
  ]);
  if (warehouse === undefined || record?.id !== intent.tableId) return false;
  let actual: number | undefined;
  try {
    actual = await tags.version(
      { warehouse: intent.warehouse, namespace: [...intent.namespace], name: intent.name, actor: recoveryCaller(warehouse) },
      intent.tag,
    );
  } catch (e) {
    // A tag file that is no Lance tag (corrupted in storage) names nothing: neither the version set nor an absence.
    if (e instanceof CatalogError && e.code === 'ERR_ILLEGAL_ARGUMENT') return false;
    throw e;
  }
  const shown = intent.version === undefined ? actual === undefined : actual === intent.version;
  return shown && takenFrom(intent);
}

/**
 * Whether Lance takes the intent's write in the tag's state before it (true when either is not known): a create only
 * where no tag was, an update or a delete only where one was. Lance checks that state as it writes; the catalog read
 * it just before, so another client's write of the same tag in between could make it stale (docs/events.md).
 */
function takenFrom(intent: LanceTagIntent): boolean {
  if (intent.before === undefined || intent.operation === undefined) return true;
  const existed = intent.before.version !== undefined;
  return intent.operation === 'create' ? !existed : existed;
}

/** The catalog itself, reading the tag (no grant applies: it reads for its own bookkeeping, and hands nothing out). */
function recoveryCaller(warehouse: Warehouse): Caller {
  return {
    tenant: warehouse.tenant,
    description: 'system:lance-tag-event-recovery',
    key: 'system:lance-tag-event-recovery',
    members: [],
    admin: false,
    unrestricted: true,
  };
}

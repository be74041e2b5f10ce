/**
 * Which of a Lance table's tag files are no Lance tag (corrupted in storage: not JSON, no version), to name them when
 * the library's listing fails on one (tags.ts): the dataset's `_refs/tags/` listed through the warehouse's storage,
 * each tag then read alone through the tag port (its single-tag read), those the library refuses as unparsed kept.
 * A file whose name is no tag name (isTagName: planted in storage, never written by a Lance client) is bad unread:
 * Lance's listing fails on it as a tag file "not found" (its name percent-encoded again), which read as a lost race
 * and a 503 before. Storage without listing (lance-tags names none then) answers none. Framework-free: no HTTP, no SQL.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { TableContext } from '../kit/table-kit.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { LanceTagStore, LanceTagTarget } from '../ports/lance-tags.js';
import type { RequestScope } from '../context.js';
import { checkTag } from './versions/checks.js';
import { lanceObjectUri } from './versions/manifest-paths.js';

/** At most this many tag files are read one by one to find the bad ones. */
const MAX_PROBED = 1_000;

export async function corruptTags(
  ctx: TableContext,
  opened: { scope: RequestScope; record: CatalogObjectRecord; store: LanceTagStore; target: LanceTagTarget },
): Promise<string[]> {
  const storage = await ctx.storageFor(opened.scope.warehouse);
  if (storage.list === undefined) return [];
  const prefix = `${opened.record.location.replace(/\/+$/, '')}/_refs/tags/`;
  const names: string[] = [];
  for await (const object of storage.list(lanceObjectUri(prefix))) {
    const file = decoded(object.uri.slice(object.uri.lastIndexOf('/') + 1));
    if (file.endsWith('.json')) names.push(file.slice(0, -'.json'.length));
    if (names.length >= MAX_PROBED) break;
  }
  const bad: string[] = [];
  for (const name of names.sort()) {
    if (!isTagName(name)) {
      bad.push(name);
      continue;
    }
    try {
      await opened.store.version(opened.target, name);
    } catch (e) {
      if (e instanceof CatalogError && e.code === 'ERR_ILLEGAL_ARGUMENT') bad.push(name);
    }
  }
  return bad;
}

/** Whether DeleteTableTag (and every tag operation) takes `name` as a tag's name. */
export function isTagName(name: string): boolean {
  try {
    return checkTag(name) !== undefined;
  } catch {
    return false;
  }
}

/** A listed file name, percent-decoded when it is percent-encoding (a name such as `100%off` is kept as it is). */
function decoded(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

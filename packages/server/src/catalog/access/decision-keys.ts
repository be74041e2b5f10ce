/**
 * The decision cache's keys of a caller's two data privileges on one table (access-service.ts vendingModeCached),
 * kept instead of built on every call: that runs on every sign of an engine, and the keys are two strings of some
 * 150 characters each, concatenated and then hashed afresh by every lookup. A kept key is the same string object,
 * whose hash V8 keeps.
 *
 * Only the strings are kept, never a decision: the decisions are still read from the decision cache, with its
 * bound and its clearing on every grant change. The keys are a pure function of (who, path), and an entry is used
 * only when every part of its path equals the one asked for (the table's id, its warehouse, each namespace id,
 * its kind); otherwise it is built again. Bounded: emptied when full.
 */
import type { Member, SecurablePath } from '../ports/access.js';
import type { Caller } from '../ports/index.js';

const memberKey = (m: Member) => `${m.kind}\u001f${m.issuer}\u001f${m.name}`;

/**
 * Who asks, as the decision caches key it: the tenant and every role member. Kept per members array
 * when that array and its members are frozen (http/caller.ts freezes them once per token), so an
 * engine's requests do not build the same string again on every decision; built anew otherwise.
 */
const whoKeys = new WeakMap<readonly Member[], { tenant: string; who: string }>();
export function whoOf(caller: Pick<Caller, 'tenant' | 'members'>): string {
  const kept = whoKeys.get(caller.members);
  if (kept !== undefined && kept.tenant === caller.tenant) return kept.who;
  const who = `${caller.tenant}\u001e${caller.members.map(memberKey).join('\u001e')}`;
  if (Object.isFrozen(caller.members) && caller.members.every((m) => Object.isFrozen(m))) whoKeys.set(caller.members, { tenant: caller.tenant, who });
  return who;
}
const pathKey = (p: SecurablePath) => `${p.warehouse}\u001e${p.namespaces.join('\u001e')}\u001e${p.object ? `${p.object.kind}:${p.object.id}` : ''}`;
/** The decision cache's key of one privilege of `who` on `path` (decide() fills it; the vending decisions read it). */
export const decisionKey = (who: string, privilege: string, path: SecurablePath) => `${who}\u001d${privilege}\u001d${pathKey(path)}`;
/** The keys of the two data privileges vendingModeCached reads (kept per caller and table by VendingDecisionKeys). */
export const vendingKeysOf = (who: string, path: SecurablePath) => ({
  write: decisionKey(who, 'table:write-data', path),
  read: decisionKey(who, 'table:read-data', path),
});

interface Entry {
  warehouse: string;
  namespaces: readonly string[];
  kind: string;
  write: string;
  read: string;
}

export class VendingDecisionKeys {
  /** By who (the caller's key string, access-service.ts whoOf), then by the table's id. */
  private readonly byWho = new Map<string, Map<string, Entry>>();
  private kept = 0;

  constructor(
    private readonly build: (who: string, path: SecurablePath) => { write: string; read: string },
    private readonly maxEntries = 10_000,
  ) {}

  /** The two keys for `who` on `path` (a table's or view's: it has an object). */
  keysOf(who: string, path: SecurablePath & { object: NonNullable<SecurablePath['object']> }): { write: string; read: string } {
    let byId = this.byWho.get(who);
    const found = byId?.get(path.object.id);
    if (found !== undefined && found.warehouse === path.warehouse && found.kind === path.object.kind && sameIds(found.namespaces, path.namespaces))
      return found;
    const keys = this.build(who, path);
    if (found === undefined && this.kept >= this.maxEntries) {
      this.byWho.clear();
      this.kept = 0;
      byId = undefined;
    }
    if (byId === undefined) this.byWho.set(who, (byId = new Map()));
    if (found === undefined) this.kept++;
    byId.set(path.object.id, { warehouse: path.warehouse, namespaces: [...path.namespaces], kind: path.object.kind, write: keys.write, read: keys.read });
    return keys;
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

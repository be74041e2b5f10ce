/**
 * docs/events.md names every event type the code emits and none it does not: the change kinds of the outbox
 * (CHANGE_KINDS, TENANT_CHANGE_KINDS) are the first cells of its two type tables, and every outcome type of the
 * ChangeListener's Outcome union (logged, never in the outbox) is named in its text. The doc abbreviates a kind
 * after a full one in the same cell or sentence (`lance-table.tag-created`, `.tag-updated`); that form is read as
 * the full name. Before, the outcomes `table.manifests-rewritten` and `lance-table.derivation-recovered` were logged
 * and undocumented.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANGE_KINDS } from '../../packages/server/src/catalog/outbox/changes.js';
import { TENANT_CHANGE_KINDS } from '../../packages/server/src/catalog/outbox/tenant-events.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DOC = readFileSync(path.join(ROOT, 'docs', 'events.md'), 'utf8');
const LISTENER = readFileSync(path.join(ROOT, 'packages', 'server', 'src', 'catalog', 'ports', 'change-listener.ts'), 'utf8');

/** The `kind.event` names a text holds, a `.event` after a full name read with that name's kind. */
function namesIn(text: string): Set<string> {
  const names = new Set<string>();
  let kind: string | undefined;
  for (const [, token] of text.matchAll(/`([a-z.-]+)`/g)) {
    const full = /^([a-z-]+)\.[a-z-]+$/.exec(token!);
    if (full) {
      kind = full[1];
      names.add(token!);
    } else if (kind !== undefined && /^\.[a-z-]+$/.test(token!)) names.add(`${kind}${token}`);
  }
  return names;
}

/** The first cells of the rows of the tables headed "type (`io.lakegate.` +)". */
function tableTypes(): Set<string> {
  const types = new Set<string>();
  for (const table of DOC.split('| type (`io.lakegate.` +)').slice(1)) {
    const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
    for (const row of rows) for (const name of namesIn(row.split(' | ')[0]!)) types.add(name);
  }
  return types;
}

describe('docs/events.md and the event types the code emits', () => {
  it('lists every change kind in its type tables, and only those', () => {
    const emitted = [...CHANGE_KINDS, ...TENANT_CHANGE_KINDS];
    const listed = tableTypes();
    expect(emitted.filter((kind) => !listed.has(kind))).toEqual([]);
    expect([...listed].filter((kind) => !(emitted as readonly string[]).includes(kind))).toEqual([]);
  });

  it('names every outcome type', () => {
    const outcomes = [...LISTENER.matchAll(/type: '([a-z-]+\.[a-z-]+)'/g)].map((m) => m[1]!);
    expect(outcomes.length).toBeGreaterThan(10);
    const named = namesIn(DOC);
    expect(outcomes.filter((type) => !named.has(type))).toEqual([]);
  });
});

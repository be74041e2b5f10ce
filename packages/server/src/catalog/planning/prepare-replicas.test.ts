import { describe, expect, it } from 'vitest';
import type { Coherence, CoherenceTopic } from '../ports/index.js';
import { announcePrepared, onPrepared } from './prepare-replicas.js';

/** Two processes: what one announces reaches the other's listeners (as the relay and NOTIFY do), never its own. */
function pair(): [Coherence, Coherence, (topic: CoherenceTopic, key?: string) => void] {
  const listeners = [new Map<CoherenceTopic, ((key: string | undefined) => void)[]>(), new Map<CoherenceTopic, ((key: string | undefined) => void)[]>()];
  const make = (own: number): Coherence => ({
    announce: (topic, key) => listeners[1 - own]!.get(topic)?.forEach((l) => l(key)),
    on: (topic, l) => void listeners[own]!.set(topic, [...(listeners[own]!.get(topic) ?? []), l]),
    runExclusive: (_keys, fn) => fn(),
    claim: (_key, fn) => fn(),
  });
  return [make(0), make(1), (topic, key) => listeners[1]!.get(topic)?.forEach((l) => l(key))];
}

describe('announced preparations', () => {
  const table = { warehouse: 'w', namespace: ['a', 'b'], name: 't', uuid: 'u-1' };

  it('reach the other process with the table and the metadata prepared, and not the announcing one', () => {
    const [a, b] = pair();
    const heardByA: unknown[] = [];
    const heardByB: unknown[] = [];
    onPrepared(a, (t, at) => heardByA.push([t, at]));
    onPrepared(b, (t, at) => heardByB.push([t, at]));
    announcePrepared(a, table, 's3://b/t/metadata/00001.json');
    expect(heardByB).toEqual([[table, 's3://b/t/metadata/00001.json']]);
    expect(heardByA).toEqual([]);
  });

  it('ignores a key that is missing (a reconnect, a key too long to send) or malformed', () => {
    const [, b, hear] = pair();
    const heard: unknown[] = [];
    onPrepared(b, (t) => heard.push(t));
    for (const key of [undefined, 'not json', '[]', JSON.stringify(['w', 'a', 't', 'u', 'm']), JSON.stringify(['w', ['a'], 't', 'u', 5])])
      hear('policy-files', key);
    expect(heard).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { TableLocationHints } from './table-locations.js';

const table = (location: string, name = 't') => ({ namespace: ['ns'], name, location, staged: false });

describe('TableLocationHints', () => {
  it('finds the remembered table at the first directory that holds one, per warehouse', () => {
    const hints = new TableLocationHints();
    hints.remember('lake', table('s3://b/wh/ns/t'));
    const dirs = ['s3://b/wh/ns/t/data/x', 's3://b/wh/ns/t/data', 's3://b/wh/ns/t', 's3://b/wh/ns', 's3://b/wh'];
    expect(hints.find('lake', dirs)?.name).toBe('t');
    expect(hints.find('other', dirs)).toBeUndefined();
    expect(hints.find('lake', ['s3://b/wh/ns/u', 's3://b/wh/ns'])).toBeUndefined();
  });

  it('forgets a location, and forgets everything when full', () => {
    const hints = new TableLocationHints(2);
    hints.remember('lake', table('s3://b/wh/a', 'a'));
    hints.remember('lake', table('s3://b/wh/a', 'a2'));
    expect(hints.entries).toBe(1);
    hints.forget('lake', 's3://b/wh/a');
    expect(hints.find('lake', ['s3://b/wh/a'])).toBeUndefined();
    expect(hints.entries).toBe(0);
    hints.remember('lake', table('s3://b/wh/a', 'a'));
    hints.remember('lake', table('s3://b/wh/b', 'b'));
    hints.remember('lake', table('s3://b/wh/c', 'c'));
    expect(hints.entries).toBe(1);
    expect(hints.find('lake', ['s3://b/wh/a'])).toBeUndefined();
    expect(hints.find('lake', ['s3://b/wh/c'])?.name).toBe('c');
  });
});

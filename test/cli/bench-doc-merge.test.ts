/**
 * `npm run bench` replaces only the generated part of docs/benchmarks.md and keeps the sections written by hand
 * (issue 41: a regenerated report used to drop the signing, tracing, Lance and listing sections).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// Plain ESM without types: bench/ is not a workspace (tests are run, not type-checked, by vitest).
import { BEGIN, END, mergeReport } from '../../bench/lib/doc-merge.mjs';

const doc = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'benchmarks.md'), 'utf8');

describe('the benchmark report merge', () => {
  it('replaces the generated part of docs/benchmarks.md and keeps every hand-written section byte for byte', () => {
    const merged: string = mergeReport(doc, '# Benchmarks\n\nnew tables\n');
    const handWritten = doc.slice(doc.indexOf(END) + END.length);
    expect(handWritten).toMatch(/## Remote signing[\s\S]*## Tracing[\s\S]*## Lance managed versions[\s\S]*## Unpaged listing/);
    expect(merged).toBe(`${BEGIN}\n# Benchmarks\n\nnew tables\n${END}${handWritten}`);
    expect(merged).not.toContain('## Results: pinned layout');
    // And again: idempotent on its own output.
    expect(mergeReport(merged, '# Benchmarks\n\nnew tables\n')).toBe(merged);
  });

  it('puts the generated part first in a file without markers, keeping its text, and writes a new file whole', () => {
    expect(mergeReport('## Old notes\n\ntext\n', 'gen')).toBe(`${BEGIN}\ngen\n${END}\n\n## Old notes\n\ntext\n`);
    expect(mergeReport(undefined, 'gen')).toBe(`${BEGIN}\ngen\n${END}\n`);
  });
});

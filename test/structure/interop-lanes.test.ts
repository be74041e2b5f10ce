/**
 * scripts/test.sh runs the interop files in two Vitest processes at once (scripts/interop-lanes.mjs). Every file must
 * run in exactly one lane, and every file that starts a heavy shared peer must be in the JVM lane: a Vitest process
 * shares its heavy peers between its own files only, so the other lane would start a second one beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types.
import { lanes } from '../../scripts/interop-lanes.mjs';

const interop = path.resolve(import.meta.dirname, '..', 'interop');
const files = readdirSync(interop)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => path.join('test', 'interop', f))
  .sort();
const { jvm, light } = lanes() as { jvm: string[]; light: string[] };

describe('interop lanes', () => {
  it('put every interop file in exactly one lane', () => {
    expect([...jvm, ...light].sort()).toEqual(files);
    expect(jvm.filter((f) => light.includes(f))).toEqual([]);
    expect(jvm.length).toBeGreaterThan(0);
    expect(light.length).toBeGreaterThan(0);
  });

  it('keep the files of every JVM peer in the JVM lane', () => {
    const starts = /support\/(kafka|trino|keycloak|spark-session)\.js|spark\.sh|icebergJavaLib/;
    const jvmUsers = files.filter((f) => starts.test(readFileSync(path.resolve(interop, '..', '..', f), 'utf8')));
    expect(jvmUsers.length).toBeGreaterThan(5);
    for (const f of jvmUsers) expect(jvm, f).toContain(f);
    for (const f of light) expect(jvmUsers, f).not.toContain(f);
  });
});

/**
 * TEST-ONLY pause points of a policy-derived Lance dataset's derivation (lance-optimize/lancedb-policy-deriver.ts), for
 * the crash test of its lifecycle (test/interop/lance-derivation-crash.test.ts). With the environment variable
 * LAKEGATE_TEST_HOLD_DERIVATION naming a directory, the deriver reads every row the policy admits first, then stops
 * twice, each time creating `<dir>/<point>` and waiting until `<dir>/<point>.go` exists (the test lets it go on, or
 * kills the process):
 *  - `before-write`: its intent recorded and the table read, nothing written yet;
 *  - `written`: its dataset written, its side file not, its table not checked yet.
 * After the first point it no longer heeds the drop's abort signal, as a derivation on another process never hears of
 * it. Unset (always, outside that test) there is no pause and the deriver streams as it always does.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const HOLD_ENV = 'LAKEGATE_TEST_HOLD_DERIVATION';
/**
 * TEST-ONLY, the same way: with LAKEGATE_TEST_HOLD_TAG_EVENT naming a directory, a Lance tag write stops once Lance
 * wrote the ref and before its event is published (catalog/lance/tag-events.ts), at `written`, for the crash test of
 * its recovery (test/interop/lance-tag-event-crash.test.ts).
 */
export const TAG_HOLD_ENV = 'LAKEGATE_TEST_HOLD_TAG_EVENT';

export function derivationHold(dir: string | undefined): ((point: 'before-write' | 'written') => Promise<void>) | undefined {
  if (dir === undefined || dir === '') return undefined;
  return async (point) => {
    writeFileSync(path.join(dir, point), '');
    while (!existsSync(path.join(dir, `${point}.go`))) await sleep(50);
  };
}

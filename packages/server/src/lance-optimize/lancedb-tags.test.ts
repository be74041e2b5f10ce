import { describe, expect, it } from 'vitest';
import { CatalogError } from '../errors/catalog-error.js';
import { RACE_ATTEMPTS, retryLostTagRace } from './lancedb-tags.js';

/** The object store's wording (Lance 12, local and object stores) of a tag file deleted under an operation. */
const vanished = (tag: string) =>
  new Error(
    `lance error: Not found: /tmp/w/ns/t.lance/_refs/tags/${tag}.json, /usr/local/cargo/registry/src/lance-io-12.0.0/src/object_store.rs:1075:9  Caused by: Not found: /tmp/w/ns/t.lance/_refs/tags/${tag}.json`,
  );

/** An attempt that fails with `failures` in turn, then answers `value`; counts its calls. */
function attempts<T>(failures: unknown[], value: T) {
  let calls = 0;
  const run = async () => {
    calls++;
    if (calls <= failures.length) throw failures[calls - 1];
    return value;
  };
  return { run, calls: () => calls };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof CatalogError ? e.code : `not a CatalogError: ${String(e)}`),
  );

describe('retryLostTagRace', () => {
  it('runs an operation again while a tag file vanished under it, and answers the fresh read', async () => {
    const a = attempts([vanished('mix')], { mix: 1 });
    expect(await retryLostTagRace('ListTableTags', a.run)).toEqual({ mix: 1 });
    expect(a.calls()).toBe(2);
  });

  it.each([
    ['DeleteTableTag', 'ERR_TAG_NOT_FOUND'],
    ['UpdateTableTag', 'ERR_TAG_NOT_FOUND'],
    ['ListTableTags', 'ERR_UNAVAILABLE'],
  ])('after %s loses the race %i times: %s', async (operation, code) => {
    const a = attempts(
      Array.from({ length: RACE_ATTEMPTS }, () => vanished('race')),
      undefined,
    );
    expect(await codeOf(retryLostTagRace(operation, a.run))).toBe(code);
    expect(a.calls()).toBe(RACE_ATTEMPTS);
  });

  it("answers Lance's own refusal on the retry (the tag now cleanly absent) as the caller's 404 code 8", async () => {
    const a = attempts([vanished('race'), new Error('lance error: Ref not found error: tag race does not exist')], undefined);
    expect(await codeOf(retryLostTagRace('DeleteTableTag', a.run))).toBe('ERR_TAG_NOT_FOUND');
    expect(a.calls()).toBe(2);
  });

  it('never retries another failure: a missing data file, an outage, a refusal', async () => {
    for (const [failure, code] of [
      [new Error('lance error: Not found: /tmp/w/ns/t.lance/_versions/3.manifest'), 'ERR_UNAVAILABLE'],
      [new Error('lance error: LanceError(IO): connection reset by peer'), 'ERR_UNAVAILABLE'],
      [new Error('lance error: Ref conflict error: tag race already exists'), 'ERR_TAG_EXISTS'],
      // A tag file corrupted in storage (Lance 12's wording): the same bytes every read, the caller's 400, never a 503.
      [
        new Error(
          'lance error: LanceError(Arrow): key must be a string at line 1 column 2, /usr/local/cargo/registry/src/index.crates.io-1949cf8c6b5b557f/lance-12.0.0/src/dataset/refs.rs:959:8  Caused by: LanceError(Arrow): key must be a string at line 1 column 2, /usr/local/cargo/registry/src/index.crates.io-1949cf8c6b5b557f/lance-12.0.0/src/dataset/refs.rs:959:8',
        ),
        'ERR_ILLEGAL_ARGUMENT',
      ],
      [new CatalogError('ERR_FORBIDDEN', 'no'), 'ERR_FORBIDDEN'],
    ] as const) {
      const a = attempts([failure], undefined);
      expect(await codeOf(retryLostTagRace('DeleteTableTag', a.run))).toBe(code);
      expect(a.calls()).toBe(1);
    }
  });
});

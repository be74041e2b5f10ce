import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBounded } from './bounded-read.js';

/** A body of `chunks` chunks of `size` bytes that counts what was pulled from it and whether it was destroyed. */
function body(chunks: number, size: number) {
  const state = { pulled: 0, destroyed: false };
  let i = 0;
  const stream = new Readable({
    highWaterMark: 0,
    read() {
      if (i++ >= chunks) return this.push(null);
      state.pulled += size;
      this.push(Buffer.alloc(size, 1));
    },
    destroy(error, callback) {
      state.destroyed = true;
      callback(error);
    },
  });
  return { stream, state };
}

describe('readBounded', () => {
  it('returns every byte of a body within the bound, one chunk or many', async () => {
    expect((await readBounded(body(1, 10).stream, 10, 'mem://a')).byteLength).toBe(10);
    const many = await readBounded(body(5, 10).stream, 50, 'mem://b', 50);
    expect(many.byteLength).toBe(50);
    expect(many.every((b) => b === 1)).toBe(true);
    expect(Buffer.from(await readBounded(Readable.from(['ab', 'c']), 3, 'mem://c')).toString()).toBe('abc');
  });

  it('refuses a body whose declared length passes the bound without reading it, and releases it', async () => {
    const { stream, state } = body(5, 10);
    await expect(readBounded(stream, 49, 'mem://d', 50)).rejects.toMatchObject({
      code: 'ERR_PAYLOAD_TOO_LARGE',
      message: 'object mem://d is larger than 49 bytes',
    });
    expect(state.pulled).toBe(0);
    expect(state.destroyed).toBe(true);
  });

  it('stops reading a body that passes the bound when it declared no length, or a smaller one', async () => {
    for (const declared of [undefined, 10]) {
      const { stream, state } = body(1000, 10);
      await expect(readBounded(stream, 25, 'mem://e', declared)).rejects.toMatchObject({ code: 'ERR_PAYLOAD_TOO_LARGE' });
      expect(state.pulled).toBeLessThanOrEqual(40);
      expect(state.destroyed).toBe(true);
    }
  });
});

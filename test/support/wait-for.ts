/** Reads until `done` holds of what was read (every 50 ms), and answers that; throws naming `what` after `timeoutMs`. */
export const waitFor = async <T>(what: string, read: () => T | Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

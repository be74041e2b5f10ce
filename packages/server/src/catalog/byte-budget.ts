/**
 * A bound on the bytes that a kind of work holds at once, across requests: each holder asks for its
 * bytes and waits, first come first served, until they fit. One holder may ask for more than the
 * whole budget; it then waits until it is alone. Used for reading and parsing metadata files, which
 * may be 256 MiB each (metadata-files.ts): every such read is bounded, but without this, concurrent
 * ones were not bounded together.
 */
export class ByteBudget {
  private held = 0;
  private readonly waiting: Array<{ bytes: number; start(): void }> = [];

  constructor(readonly limit: number) {}

  /** Waits until `bytes` fit, then holds them; the answer gives them back (once, whatever is called later). */
  async hold(bytes: number): Promise<Hold> {
    // A waiter's bytes are counted by wake() when it is let in, so none can pass it in the meantime.
    if (this.waiting.length > 0 || !this.fits(bytes)) await new Promise<void>((start) => this.waiting.push({ bytes, start }));
    else this.held += bytes;
    let current = bytes;
    return {
      shrink: (to: number) => {
        if (to >= current) return;
        this.held -= current - to;
        current = to;
        this.wake();
      },
      release: () => {
        this.held -= current;
        current = 0;
        this.wake();
      },
    };
  }

  /** Bytes held now. */
  get inUse(): number {
    return this.held;
  }

  private fits(bytes: number): boolean {
    return this.held === 0 || this.held + bytes <= this.limit;
  }

  private wake(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.held += next.bytes;
      next.start();
    }
  }
}

export interface Hold {
  /** Gives back all but `to` bytes (e.g. once the real size of what was read is known). */
  shrink(to: number): void;
  release(): void;
}

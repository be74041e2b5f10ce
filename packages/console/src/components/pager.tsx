/**
 * Paging by a server's next-page tokens, as every paged view of the console does it: the tokens of the pages walked so
 * far are kept (the first page's is undefined), so going back needs no token of the server's (the listings page
 * forwards only) and the page number is the walk's length. A new `resetKey` (the object listed) starts at page 1.
 */
import { useState } from 'react';

export interface PageTokens {
  /** The token of the page shown (undefined: the first). */
  token: string | undefined;
  /** 1-based. */
  page: number;
  back(): void;
  forward(next: string): void;
}

export function usePageTokens(resetKey: string): PageTokens {
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const [lastKey, setLastKey] = useState(resetKey);
  if (lastKey !== resetKey) {
    setLastKey(resetKey);
    setTokens([undefined]);
  }
  return {
    token: tokens.at(-1),
    page: tokens.length,
    back: () => setTokens((t) => (t.length > 1 ? t.slice(0, -1) : t)),
    forward: (next) => setTokens((t) => [...t, next]),
  };
}

/** Back / "Page N" / forward; forward is off on the last page (no next token). */
export function Pager({
  paging,
  next,
  backLabel = '← Previous',
  forwardLabel = 'Next →',
}: {
  paging: PageTokens;
  next: string | undefined;
  backLabel?: string;
  forwardLabel?: string;
}) {
  return (
    <div className="pager">
      <button type="button" disabled={paging.page <= 1} onClick={paging.back}>
        {backLabel}
      </button>
      <span data-testid="page-number">Page {paging.page}</span>
      <button type="button" disabled={next === undefined} onClick={() => next !== undefined && paging.forward(next)}>
        {forwardLabel}
      </button>
    </div>
  );
}

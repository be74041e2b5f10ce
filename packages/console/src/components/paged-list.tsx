/**
 * One listing of a catalog (namespaces, tables, views, Lance tables), paged by the server's next-page tokens: one
 * page at a time is fetched and shown (a namespace of 100,000 tables costs one request of `pageSize`), with Previous /
 * Next. The filter narrows the page on screen; "Search further" walks the following pages on demand only, with
 * progress, a bound and a Stop button, and never more than asked.
 */
import { type ReactNode, useMemo, useRef, useState } from 'react';
import type { Page } from '@lakegate/client/browser';
import { Pager, usePageTokens } from './pager';
import { Empty, ErrorMessage, Loading, Progress } from './states';
import { useAsync } from './use-async';

export interface PagedListProps<T> {
  title: string;
  /** Fetches one page; `pageToken` undefined for the first. */
  fetchPage: (pageToken: string | undefined, signal: AbortSignal) => Promise<Page<T>>;
  keyOf: (item: T) => string;
  textOf: (item: T) => string;
  render: (item: T) => ReactNode;
  /** Dependencies that reset the listing (the warehouse and namespace it lists). */
  resetKey: string;
  emptyText: string;
  testId?: string;
}

const SEARCH_PAGES = 20;

export function PagedList<T>(props: PagedListProps<T>) {
  const paging = usePageTokens(props.resetKey);
  const [filter, setFilter] = useState('');
  const [found, setFound] = useState<T[] | undefined>();
  const [scan, setScan] = useState<{ done: number; total: number } | undefined>();
  const stop = useRef<AbortController | undefined>(undefined);
  const [lastKey, setLastKey] = useState(props.resetKey);
  if (lastKey !== props.resetKey) {
    setLastKey(props.resetKey);
    setFilter('');
    setFound(undefined);
  }
  const token = paging.token;
  const page = useAsync((signal) => props.fetchPage(token, signal), [props.resetKey, token]);
  const items = useMemo(() => {
    const all = page.data?.items ?? [];
    const f = filter.trim().toLowerCase();
    return f ? all.filter((i) => props.textOf(i).toLowerCase().includes(f)) : all;
  }, [page.data, filter, props]);
  const next = page.data?.nextPageToken;

  const searchFurther = async () => {
    const f = filter.trim().toLowerCase();
    if (!f || !next) return;
    const controller = new AbortController();
    stop.current = controller;
    const hits: T[] = [];
    let t: string | undefined = next;
    setScan({ done: 0, total: SEARCH_PAGES });
    try {
      for (let i = 0; i < SEARCH_PAGES && t && !controller.signal.aborted; i++) {
        const p: Page<T> = await props.fetchPage(t, controller.signal);
        hits.push(...p.items.filter((x) => props.textOf(x).toLowerCase().includes(f)));
        t = p.nextPageToken;
        setScan({ done: i + 1, total: SEARCH_PAGES });
        setFound([...hits]);
      }
    } catch {
      // Stopped or failed: what was found so far stays on screen.
    } finally {
      setScan(undefined);
      stop.current = undefined;
    }
  };

  return (
    <section className="listing" aria-labelledby={`${props.title}-h`} data-testid={props.testId}>
      <div className="listing-head">
        <h3 id={`${props.title}-h`}>{props.title}</h3>
        <input
          type="search"
          placeholder={`Filter ${props.title.toLowerCase()}`}
          aria-label={`Filter ${props.title.toLowerCase()}`}
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            setFound(undefined);
          }}
        />
      </div>
      {page.status === 'loading' && !page.data && <Loading what={props.title.toLowerCase()} />}
      {page.status === 'error' && <ErrorMessage error={page.error} retry={page.reload} />}
      {page.data && (
        <>
          {items.length === 0 ? (
            <Empty>{filter ? `Nothing on this page matches “${filter}”.` : props.emptyText}</Empty>
          ) : (
            <ul className="items">
              {items.map((i) => (
                <li key={props.keyOf(i)}>{props.render(i)}</li>
              ))}
            </ul>
          )}
          {filter && next && !scan && (
            <button type="button" onClick={() => void searchFurther()}>
              Search the next {SEARCH_PAGES} pages for “{filter}”
            </button>
          )}
          {scan && (
            <div className="row">
              <Progress done={scan.done} total={scan.total} label="Pages searched" />
              <button type="button" onClick={() => stop.current?.abort()}>
                Stop
              </button>
            </div>
          )}
          {found && (
            <div className="found">
              <h4>Found on later pages ({found.length})</h4>
              <ul className="items">
                {found.map((i) => (
                  <li key={`f-${props.keyOf(i)}`}>{props.render(i)}</li>
                ))}
              </ul>
            </div>
          )}
          <Pager paging={paging} next={next || undefined} />
        </>
      )}
    </section>
  );
}

/**
 * A federated warehouse's remote failure history (issue 57), every entry the server keeps (up to 200), page by page:
 * GET …/federation/failures with its next-page token (components/pager.tsx, as the catalog's listings page), newest
 * last failure first, each entry one operation's failures with one error within 5 minutes (every replica's, on the
 * request path and in checks). Reading it does not call the remote. Platform administrators only, as the status: it is
 * shown with the outcome of "Check connection", and read again from page 1 at every check.
 */
import type { FederationRemoteFailure } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { GridHead } from './grid-head';
import { Pager, usePageTokens } from './pager';
import { ErrorMessage, Loading } from './states';
import { useAsync } from './use-async';

/** Entries per page: the status answers the newest 20, so the first page is what it shows. */
export const FAILURES_PAGE_SIZE = 20;

/** "first – last" of an entry, or its one time. */
const when = (f: FederationRemoteFailure) =>
  f.count === 1 ? new Date(f['last-at-ms']).toLocaleString() : `${new Date(f['first-at-ms']).toLocaleString()} – ${new Date(f['last-at-ms']).toLocaleString()}`;

export function FailureHistory({ warehouse, lastAnsweredAtMs, checkedAtMs }: { warehouse: string; lastAnsweredAtMs: number | undefined; checkedAtMs: number }) {
  const paging = usePageTokens(`${warehouse} ${checkedAtMs}`);
  // The page number travels with the answer: while the next page loads, the rows shown are still the last page's.
  const number = paging.page;
  const page = useAsync(
    async (signal) => ({
      number,
      ...(await managementClient().listWarehouseFederationFailures(warehouse, {
        pageSize: FAILURES_PAGE_SIZE,
        signal,
        ...(paging.token ? { pageToken: paging.token } : {}),
      })),
    }),
    [warehouse, checkedAtMs, paging.token],
  );
  const failures = page.data?.failures ?? [];
  return (
    <div data-testid="federation-history">
      <p className="hint" data-testid="federation-last-answered">
        {lastAnsweredAtMs === undefined
          ? 'The remote has not answered since failures are recorded.'
          : `The remote last answered ${new Date(lastAnsweredAtMs).toLocaleString()}.`}
      </p>
      {page.status === 'loading' && !page.data && <Loading what="the failure history" />}
      {page.status === 'error' && <ErrorMessage error={page.error} retry={page.reload} />}
      {page.data &&
        (failures.length === 0 && page.data.number === 1 ? (
          <p className="state" data-testid="federation-no-failures">
            No failures of the remote recorded.
          </p>
        ) : (
          <>
            <table className="grid" data-testid="federation-failures" data-page={page.data.number} aria-busy={page.status === 'loading'}>
              <caption>Failures of the remote (newest first), page {page.data.number}</caption>
              <GridHead columns={['When', 'Operation', 'Count', 'Error']} />
              <tbody>
                {failures.map((f) => (
                  <tr
                    key={`${f.operation} ${f['first-at-ms']} ${f.error.code} ${f.error.message}`}
                    data-testid="federation-failure"
                    data-operation={f.operation}
                  >
                    <td>{when(f)}</td>
                    <td className="mono">{f.operation}</td>
                    <td>{f.count}</td>
                    <td>
                      {f.error.type} {f.error.code}: <span data-testid="federation-failure-message">{f.error.message}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager paging={paging} next={page.data['next-page-token']} backLabel="← Newer" forwardLabel="Older →" />
          </>
        ))}
    </div>
  );
}

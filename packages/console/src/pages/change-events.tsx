/**
 * Change events on the Activity page: a warehouse's latest events, or (for administrators of the tenant) the
 * tenant's own stream (roles, role members, principals and their credentials), refreshed every few seconds while the
 * page is open (the pull API, filtered to what the signed-in user may read), and the stream's event sinks with their
 * delivery state: a failing sink (dead letter: its events wait, none is dropped) is marked, with its last error and
 * pending count. Whether the tenant's stream is offered is asked of the server (one read of it): a 403 hides the
 * option and says who may read it; the server decides, the console only follows. When the page fell behind the
 * retention sweep (a tab left asleep for days), the server answers 410 with the oldest cursor it still answers: the
 * page says which events it missed and goes on from there, live, instead of showing an error.
 */
import { useEffect, useState } from 'react';
import { type ChangeEvent, type EventPage, type EventSink, isCursorExpired, isForbidden } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { loadSession } from '../api/session';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { useAsync } from '../components/use-async';
import { GridHead } from '../components/grid-head';

const SHOWN = 50;
const REFRESH_MS = 3_000;
/** The select's value for the tenant's stream (warehouse names cannot hold a NUL). */
const TENANT = '\u0000tenant';

/** A warehouse's stream, or the tenant's (named by the session). */
type Stream = { kind: 'warehouse'; name: string } | { kind: 'tenant'; tenant: string };
const streamKey = (s: Stream) => (s.kind === 'warehouse' ? `warehouse/${s.name}` : `tenant/${s.tenant}`);

export function ChangeEvents() {
  const warehouses = useAsync((signal) => managementClient().listWarehouses({ signal }), []);
  // Tenant events are for administrators of the tenant: asked once, a 403 means "not for you", anything else is an error.
  const tenant = useAsync(async (signal) => {
    const [session, allowed] = await Promise.all([
      loadSession(),
      managementClient()
        .listTenantEvents({ limit: 1, signal })
        .then(
          () => true,
          (e: unknown) => {
            if (isForbidden(e)) return false;
            throw e;
          },
        ),
    ]);
    return { name: session.identity?.tenant ?? '', allowed };
  }, []);
  const [selected, setSelected] = useState('');
  useEffect(() => {
    if (!selected && warehouses.status === 'ready' && warehouses.data[0]) setSelected(warehouses.data[0].name);
  }, [warehouses.status, selected]);
  const tenantName = tenant.data?.allowed ? tenant.data.name : undefined;
  const stream: Stream | undefined =
    selected === TENANT
      ? tenantName !== undefined
        ? { kind: 'tenant', tenant: tenantName }
        : undefined
      : selected
        ? { kind: 'warehouse', name: selected }
        : undefined;
  return (
    <section aria-label="Change events">
      <h2>Change events</h2>
      {warehouses.status === 'error' && <ErrorMessage error={warehouses.error} retry={warehouses.reload} />}
      {tenant.status === 'error' && <ErrorMessage error={tenant.error} retry={tenant.reload} />}
      <label>
        Events of{' '}
        <select aria-label="Event stream" value={selected} onChange={(e) => setSelected(e.target.value)}>
          {!selected && <option value="">choose…</option>}
          {tenantName !== undefined && <option value={TENANT}>tenant {tenantName}: roles, members, principals</option>}
          {(warehouses.data ?? []).map((w) => (
            <option key={w.name} value={w.name}>
              warehouse {w.name}
            </option>
          ))}
        </select>
      </label>
      {tenant.data && !tenant.data.allowed && (
        <p className="hint" data-testid="tenant-events-forbidden">
          The tenant&apos;s own events (roles, members, principals) are shown to administrators of the tenant only.
        </p>
      )}
      {stream && <Sinks key={`sinks ${streamKey(stream)}`} stream={stream} />}
      {stream && <Feed key={streamKey(stream)} stream={stream} />}
    </section>
  );
}

const pageOf = (stream: Stream, after: string, signal: AbortSignal): Promise<EventPage> =>
  stream.kind === 'tenant'
    ? managementClient().listTenantEvents({ after, limit: 500, signal })
    : managementClient().listEvents(stream.name, { after, limit: 500, signal });

/** Follows the stream from its oldest kept event, keeping the newest SHOWN; polls for new ones. */
function Feed({ stream }: { stream: Stream }) {
  const [events, setEvents] = useState<ChangeEvent[]>([]);
  const [error, setError] = useState<unknown>();
  /** Events retention deleted before this page read them: after `from` up to `to` (the page went on from `to`). */
  const [missed, setMissed] = useState<{ from: string; to: string }>();
  useEffect(() => {
    let after = '0';
    let stopped = false;
    const controller = new AbortController();
    setEvents([]);
    setMissed(undefined);
    const poll = async () => {
      try {
        for (let more = true; more && !stopped;) {
          let page: EventPage;
          try {
            page = await pageOf(stream, after, controller.signal);
          } catch (err) {
            if (!isCursorExpired(err)) throw err;
            // Retention overtook this page: say so, and go on from the oldest cursor the server still answers.
            setMissed({ from: after, to: err.resumeAfter });
            after = err.resumeAfter;
            continue;
          }
          if (page.events.length > 0) setEvents((old) => [...page.events.slice().reverse(), ...old].slice(0, SHOWN));
          after = page.next;
          more = page.more;
        }
        setError(undefined);
      } catch (err) {
        if (!stopped) setError(err);
      }
      if (!stopped) timer = setTimeout(poll, REFRESH_MS);
    };
    let timer = setTimeout(poll, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
    };
  }, [streamKey(stream)]);
  const notice = missed && (
    <p className="hint" role="status" data-testid="events-expired">
      Events after #{missed.from} up to #{missed.to} were deleted by the server&apos;s retention before this page read them; following on from #{missed.to}.
    </p>
  );
  if (error) return <ErrorMessage error={error} />;
  if (events.length === 0)
    return (
      <>
        {notice}
        <Empty>No change events you may read {stream.kind === 'tenant' ? `of tenant ${stream.tenant}` : `in ${stream.name}`} yet.</Empty>
      </>
    );
  return (
    <>
      {notice}
      <table aria-label="Latest change events">
        <GridHead columns={['#', 'Time', 'Type', 'Subject', 'By']} />
        <tbody>
          {events.map((e) => (
            <tr key={e.id}>
              <td>{e.sequence}</td>
              <td>{new Date(e.time).toLocaleString()}</td>
              <td>{e.type.replace(/^io\.lakegate\./, '')}</td>
              <td>{e.subject ?? ''}</td>
              <td>{String((e.data.caller as { principal?: string } | undefined)?.principal ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Sinks({ stream }: { stream: Stream }) {
  // Only warehouse managers (tenant administrators, for the tenant's) may list sinks: for others the list is simply not shown.
  const sinks = useAsync(
    (signal) =>
      (stream.kind === 'tenant'
        ? managementClient().listTenantEventSinks(stream.tenant, { signal })
        : managementClient().listEventSinks(stream.name, { signal })
      ).catch((): EventSink[] => []),
    [streamKey(stream)],
  );
  if (sinks.status === 'loading' && !sinks.data) return <Loading what="event sinks" />;
  const list = sinks.data ?? [];
  if (list.length === 0) return null;
  return (
    <table aria-label="Event sinks">
      <GridHead columns={['Sink', 'State', 'Pending', 'Delivered', 'Last error']} />
      <tbody>
        {list.map((s) => (
          <tr key={s.id} className={s.state === 'failing' ? 'failing' : undefined}>
            <td>
              {s.kind} {String(s.config.url ?? '')}
            </td>
            <td>{s.state === 'failing' ? `failing (dead letter, ${s.failures} failures)` : 'active'}</td>
            <td>{s.pending}</td>
            <td>{s.delivered}</td>
            <td>{s['last-error'] ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

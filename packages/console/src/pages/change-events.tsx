/**
 * Change events on the Activity page: a warehouse's latest events, refreshed every few seconds while the page is
 * open (the pull API, filtered to what the signed-in user may read), and its event sinks with their delivery state: a
 * failing sink (dead letter: its events wait, none is dropped) is marked, with its last error and pending count.
 */
import { useEffect, useState } from 'react';
import type { ChangeEvent, EventSink } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { useAsync } from '../components/use-async';

const SHOWN = 50;
const REFRESH_MS = 3_000;

export function ChangeEvents() {
  const warehouses = useAsync((signal) => managementClient().listWarehouses({ signal }), []);
  const [warehouse, setWarehouse] = useState('');
  useEffect(() => {
    if (!warehouse && warehouses.status === 'ready' && warehouses.data[0]) setWarehouse(warehouses.data[0].name);
  }, [warehouses.status, warehouse]);
  return (
    <section aria-label="Change events">
      <h2>Change events</h2>
      {warehouses.status === 'error' && <ErrorMessage error={warehouses.error} retry={warehouses.reload} />}
      <label>
        Warehouse{' '}
        <select value={warehouse} onChange={(e) => setWarehouse(e.target.value)}>
          {(warehouses.data ?? []).map((w) => (
            <option key={w.name} value={w.name}>
              {w.name}
            </option>
          ))}
        </select>
      </label>
      {warehouse && <Sinks warehouse={warehouse} />}
      {warehouse && <Feed warehouse={warehouse} />}
    </section>
  );
}

/** Follows the warehouse from its oldest kept event, keeping the newest SHOWN; polls for new ones. */
function Feed({ warehouse }: { warehouse: string }) {
  const [events, setEvents] = useState<ChangeEvent[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let after = '0';
    let stopped = false;
    const controller = new AbortController();
    setEvents([]);
    const poll = async () => {
      try {
        for (let more = true; more && !stopped; ) {
          const page = await managementClient().listEvents(warehouse, { after, limit: 500, signal: controller.signal });
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
  }, [warehouse]);
  if (error) return <ErrorMessage error={error} />;
  if (events.length === 0) return <Empty>No change events you may read in {warehouse} yet.</Empty>;
  return (
    <table aria-label="Latest change events">
      <thead>
        <tr>
          <th>#</th>
          <th>Time</th>
          <th>Type</th>
          <th>Subject</th>
          <th>By</th>
        </tr>
      </thead>
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
  );
}

function Sinks({ warehouse }: { warehouse: string }) {
  // Only warehouse managers may list sinks: for others the list is simply not shown.
  const sinks = useAsync((signal) => managementClient().listEventSinks(warehouse, { signal }).catch((): EventSink[] => []), [warehouse]);
  if (sinks.status === 'loading' && !sinks.data) return <Loading what="event sinks" />;
  const list = sinks.data ?? [];
  if (list.length === 0) return null;
  return (
    <table aria-label="Event sinks">
      <thead>
        <tr>
          <th>Sink</th>
          <th>State</th>
          <th>Pending</th>
          <th>Delivered</th>
          <th>Last error</th>
        </tr>
      </thead>
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

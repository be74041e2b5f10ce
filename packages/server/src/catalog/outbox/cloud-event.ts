/** A stored outbox event as a CloudEvents 1.0 JSON object (structured mode): the one shape every sink and the pull API send. */
import type { OutboxEvent } from '../ports/outbox.js';
import type { CloudEvent } from '../ports/event-sink.js';
import { tenantOfStream } from './tenant-events.js';

/**
 * `source`: the server's public URL and the warehouse, e.g. `https://catalog.example.com/warehouses/lake`; for a
 * tenant's events (tenant-events.ts) the tenant, `https://catalog.example.com/tenants/acme`.
 */
export function eventSource(baseUrl: string, stream: string): string {
  const tenant = tenantOfStream(stream);
  const base = baseUrl.replace(/\/+$/, '');
  return tenant === undefined ? `${base}/warehouses/${encodeURIComponent(stream)}` : `${base}/tenants/${encodeURIComponent(tenant)}`;
}

export function toCloudEvent(event: OutboxEvent, baseUrl: string): CloudEvent {
  return {
    specversion: '1.0',
    id: event.id,
    source: eventSource(baseUrl, event.warehouse),
    type: event.type,
    time: new Date(event.timeMs).toISOString(),
    ...(event.subject !== undefined ? { subject: event.subject } : {}),
    datacontenttype: 'application/json',
    partitionkey: event.partitionKey,
    sequence: String(event.sequence),
    data: event.data,
  };
}

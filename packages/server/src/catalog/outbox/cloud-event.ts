/** A stored outbox event as a CloudEvents 1.0 JSON object (structured mode): the one shape every sink and the pull API send. */
import type { OutboxEvent } from './ports.js';
import type { CloudEvent } from './sink.js';

/** `source`: the server's public URL and the warehouse, e.g. `https://catalog.example.com/warehouses/lake`. */
export function eventSource(baseUrl: string, warehouse: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/warehouses/${encodeURIComponent(warehouse)}`;
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

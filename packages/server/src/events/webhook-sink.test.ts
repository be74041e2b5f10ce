/**
 * The webhook sink against a real local HTTP receiver: Standard Webhooks signatures, one timeout for the whole batch
 * (a slow receiver cannot keep one batch going past the delivery lease), and the events accepted before a failure
 * reported as accepted (PartialDelivery), so the outbox resends only the rest.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type CloudEvent, PartialDelivery } from '../catalog/ports/event-sink.js';
import { parseNetworks } from '../catalog/outbox/sink-destinations.js';
import { signWebhook, WebhookSink } from './webhook-sink.js';

const SECRET = `whsec_${Buffer.from('webhook-test-key-0123456789abcdef').toString('base64')}`;

const event = (n: number): CloudEvent => ({
  specversion: '1.0',
  id: `e${n}`,
  source: 'https://c.test/warehouses/w',
  type: 'io.lakegate.table.committed',
  time: new Date(0).toISOString(),
  datacontenttype: 'application/json',
  partitionkey: 'u',
  sequence: String(n),
  data: { n },
});

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A receiver answering each POST with `answer(n)` (status, after a delay), recording what it got. */
async function receiver(answer: (n: number) => { status: number; delayMs?: number }) {
  const got: { id: string; signature: string; timestamp: string; body: string }[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({
        id: String(req.headers['webhook-id']),
        signature: String(req.headers['webhook-signature']),
        timestamp: String(req.headers['webhook-timestamp']),
        body,
      });
      const { status, delayMs = 0 } = answer(got.length);
      setTimeout(() => res.writeHead(status).end(), delayMs);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hook`, got };
}

describe('webhook sink', () => {
  it('posts each event in order, signed over id, timestamp and body', async () => {
    const { url, got } = await receiver(() => ({ status: 204 }));
    await new WebhookSink({ url, secret: SECRET }).deliver([event(1), event(2)]);
    expect(got.map((g) => g.id)).toEqual(['e1', 'e2']);
    for (const g of got) expect(g.signature).toBe(signWebhook(SECRET, g.id, Number(g.timestamp), g.body));
    expect(JSON.parse(got[0]!.body)).toMatchObject({ id: 'e1', sequence: '1' });
  });

  it('reports the events accepted before a failure as a PartialDelivery, and a first failure as a plain error', async () => {
    const { url } = await receiver((n) => ({ status: n === 3 || n === 4 ? 500 : 200 }));
    const sink = new WebhookSink({ url, secret: SECRET });
    const failure = await sink.deliver([event(1), event(2), event(3), event(4)]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartialDelivery);
    expect((failure as PartialDelivery).accepted).toBe(2);
    expect((failure as PartialDelivery).message).toBe('webhook answered HTTP 500');
    const first = await sink.deliver([event(3), event(4)]).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Error);
    expect(first).not.toBeInstanceOf(PartialDelivery);
    await expect(sink.deliver([event(3)])).resolves.toBeUndefined();
  });

  it('bounds the whole batch by one timeout, not one per event', async () => {
    // Each answer takes 400 ms; with one timeout per event all five would be sent (2 s), with one per batch of
    // 1 s at most three are sent (two answered, the third cut off).
    const { url, got } = await receiver(() => ({ status: 200, delayMs: 400 }));
    const failure = await new WebhookSink({ url, secret: SECRET, timeoutMs: 1_000 }).deliver([1, 2, 3, 4, 5].map(event)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    const accepted = failure instanceof PartialDelivery ? failure.accepted : 0;
    expect(accepted).toBeLessThanOrEqual(2);
    expect(got.length).toBeLessThanOrEqual(3);
    expect(got.length - accepted).toBeGreaterThanOrEqual(0); // the aborted request may or may not have arrived
    expect(got.length - accepted).toBeLessThanOrEqual(1);
  });

  it('stops sending when the delivery lease ends, whatever its own timeout', async () => {
    const { url, got } = await receiver(() => ({ status: 200, delayMs: 400 }));
    const failure = await new WebhookSink({ url, secret: SECRET, timeoutMs: 60_000 })
      .deliver([1, 2, 3, 4, 5].map(event), AbortSignal.timeout(1_000))
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(got.length).toBeLessThanOrEqual(3);
  });

  it('under the destination rule, refuses a literal internal address and a name answering one at delivery; sends nothing', async () => {
    const { url, got } = await receiver(() => ({ status: 204 }));
    const port = new URL(url).port;
    const guard = { networks: parseNetworks(''), resolve: async (host: string) => (host === 'hook.test' ? ['127.0.0.1'] : []) };
    for (const target of [url, `http://[::ffff:127.0.0.1]:${port}/hook`, `http://hook.test:${port}/hook`, `http://localhost:${port}/hook`]) {
      const failure = await new WebhookSink({ url: target, secret: SECRET, guard }).deliver([event(1)]).catch((e: unknown) => e);
      expect((failure as Error).message, target).toBe('webhook refused: the destination resolves to a non-public address');
    }
    expect(got).toEqual([]);
    // The operator's network lets the same name through, to the address the lookup answered.
    await new WebhookSink({ url: `http://hook.test:${port}/hook`, secret: SECRET, guard: { ...guard, networks: parseNetworks('127.0.0.1/32') } }).deliver([
      event(2),
    ]);
    expect(got.map((g) => g.id)).toEqual(['e2']);
  });
});

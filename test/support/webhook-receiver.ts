/**
 * A webhook receiver for change events (node:http on 127.0.0.1), verifying each request as a Standard Webhooks
 * consumer does, written from the specification and independently of the server's signer: the signature header holds
 * space-separated `v1,<base64>` entries, one of which must equal base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))
 * with key = base64-decoded secret after `whsec_` (compared in constant time); the timestamp must be within five
 * minutes. It answers 503 until the test sets the secret, 500 while `failing` is set, 204 otherwise, and keeps every
 * accepted event (duplicates too).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { parseJson } from '../../packages/server/src/catalog/json.js';

export interface ReceivedEvent {
  id: string;
  body: any;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  secret: string | undefined;
  failing: boolean;
  /** Accepted events in arrival order (a retried event may appear twice, with the same id). */
  accepted: ReceivedEvent[];
  /** Requests answered 500 while failing. */
  refused: number;
  /**
   * Requests that came before the test set `secret` (answered 503, so the server retries them): a sink created with
   * `from: beginning` may deliver before the test has read the secret from the management API's answer.
   */
  early: number;
  /** Requests whose signature or timestamp did not verify (answered 401): must stay 0. */
  badSignatures: number;
  close(): Promise<void>;
}

export function verifyStandardWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string, nowSeconds: number): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((entry) => {
    const [version, sig] = entry.split(',');
    if (version !== 'v1' || sig === undefined) return false;
    const got = Buffer.from(sig, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    secret: undefined,
    failing: false,
    accepted: [],
    refused: 0,
    early: 0,
    badSignatures: 0,
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (receiver.secret === undefined) {
        receiver.early += 1;
        res.writeHead(503).end('not ready');
        return;
      }
      if (!verifyStandardWebhook(receiver.secret, req.headers, body, Math.floor(Date.now() / 1000))) {
        receiver.badSignatures += 1;
        res.writeHead(401).end();
        return;
      }
      if (receiver.failing) {
        receiver.refused += 1;
        res.writeHead(500).end('down for maintenance');
        return;
      }
      const event = parseJson(body) as { id: string };
      receiver.accepted.push({ id: String(req.headers['webhook-id']), body: event, at: Date.now() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  receiver.url = `http://127.0.0.1:${address.port}/hooks/lakegate`;
  receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
  return receiver;
}

/** Accepted events without duplicates (first arrival of each id). */
export function firstOfEach(received: readonly ReceivedEvent[]): ReceivedEvent[] {
  const seen = new Set<string>();
  return received.filter((r) => (seen.has(r.id) ? false : (seen.add(r.id), true)));
}

/**
 * The webhook event sink: each CloudEvent is POSTed on its own, in order, as `application/cloudevents+json`, signed
 * as Standard Webhooks (standardwebhooks.com) sign: `webhook-id` (the event id), `webhook-timestamp` (seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 over "{id}.{timestamp}.{body}">`, keyed by the base64 part of the
 * `whsec_…` secret. A 2xx answer accepts the event; anything else (or no answer within the batch's timeout) fails the rest of
 * the batch, which the outbox retries from the first event not accepted: receivers drop duplicates by `webhook-id`. Written with node:crypto and fetch:
 * the algorithm is three lines, and the npm `standardwebhooks` package would add a dependency for them.
 */
import { createHmac } from 'node:crypto';
import { stringifyJson } from '../catalog/json.js';
import { type CloudEvent, type EventSink, PartialDelivery } from '../catalog/outbox/sink.js';

export interface WebhookSinkOptions {
  url: string;
  /** `whsec_` + base64 key. */
  secret: string;
  timeoutMs?: number;
  now?: () => number;
}

/** The Standard Webhooks signature header value for one message. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

export class WebhookSink implements EventSink {
  readonly kind = 'webhook';

  constructor(private readonly options: WebhookSinkOptions) {}

  /**
   * The events one by one, in order, within one timeout for the whole batch (not one per event: a slow receiver
   * would otherwise keep a batch going for batch size × timeout, past the delivery lease, while the next lease
   * holder sends the same events), and never past the delivery lease (`lease`). Events accepted before a failure
   * are reported as such (PartialDelivery).
   */
  async deliver(events: readonly CloudEvent[], lease?: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    const deadline = lease ? AbortSignal.any([timeout, lease]) : timeout;
    for (let i = 0; i < events.length; i++) {
      try {
        await this.post(events[i]!, deadline);
      } catch (err) {
        if (i === 0) throw err;
        throw new PartialDelivery(i, err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private async post(event: CloudEvent, signal: AbortSignal): Promise<void> {
    const body = stringifyJson(event);
    const timestamp = Math.floor((this.options.now ?? Date.now)() / 1000);
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          'webhook-id': event.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(this.options.secret, event.id, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal,
      });
    } catch (err) {
      // The message names the failure, never the URL (which may carry a token in its query) nor the secret.
      throw new Error(`webhook unreachable: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.name) : 'error'}`);
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 200 || response.status > 299) throw new Error(`webhook answered HTTP ${response.status}`);
  }

  async close(): Promise<void> {}
}

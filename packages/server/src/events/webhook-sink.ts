/**
 * The webhook event sink: each CloudEvent is POSTed on its own, in order, as `application/cloudevents+json`, signed
 * as Standard Webhooks (standardwebhooks.com) sign: `webhook-id` (the event id), `webhook-timestamp` (seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 over "{id}.{timestamp}.{body}">`, keyed by the base64 part of the
 * `whsec_…` secret. A 2xx answer accepts the event; anything else (or no answer within the batch's timeout) fails the rest of
 * the batch, which the outbox retries from the first event not accepted: receivers drop duplicates by `webhook-id`. Written with node:crypto and node:http(s):
 * the algorithm is three lines, and the npm `standardwebhooks` package would add a dependency for them. node:http
 * rather than fetch because fetch takes no `lookup`: a sink under the destination rule resolves and checks the
 * address of every connection it makes (guarded-connect.ts). Redirects are never followed (a 3xx is a failure): a
 * redirect to an internal address would be another way around the rule.
 */
import { createHmac } from 'node:crypto';
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { DESTINATION_REFUSED, DestinationRefused, type DestinationRule } from '../catalog/outbox/sink-destinations.js';
import { guardedLookup, literalRefused } from './guarded-connect.js';
import { stringifyJson } from '../catalog/json.js';
import { type CloudEvent, type EventSink, PartialDelivery } from '../catalog/ports/event-sink.js';

export interface WebhookSinkOptions {
  url: string;
  /** `whsec_` + base64 key. */
  secret: string;
  timeoutMs?: number;
  now?: () => number;
  /** The destination rule every connection is checked against; absent: any destination (a platform's sink). */
  guard?: DestinationRule | undefined;
}

/** The Standard Webhooks signature header value for one message. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

export class WebhookSink implements EventSink {
  readonly kind = 'webhook';

  private readonly url: URL;
  private readonly agent: HttpAgent;

  constructor(private readonly options: WebhookSinkOptions) {
    this.url = new URL(options.url);
    // One keep-alive pool per sink (fetch shared a global one): closed with the sink. Every new socket goes through
    // the guarded lookup; a kept socket stays connected to the address that was checked when it was opened.
    const agentOptions = { keepAlive: true, ...(options.guard ? { lookup: guardedLookup(options.guard) } : {}) };
    this.agent = this.url.protocol === 'https:' ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  }

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
    let status: number;
    try {
      if (this.options.guard && literalRefused(this.url.hostname, this.options.guard)) throw new DestinationRefused();
      status = await this.send(
        body,
        {
          'content-type': 'application/cloudevents+json',
          'webhook-id': event.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(this.options.secret, event.id, timestamp, body),
        },
        signal,
      );
    } catch (err) {
      if (err instanceof DestinationRefused || (err instanceof Error && err.message === DESTINATION_REFUSED))
        throw new Error(`webhook refused: ${DESTINATION_REFUSED}`);
      // The message names the failure, never the URL (which may carry a token in its query) nor the secret.
      throw new Error(
        `webhook unreachable: ${err instanceof Error ? (signal.aborted ? (signal.reason instanceof Error ? signal.reason.name : 'AbortError') : err.message) : 'error'}`,
      );
    }
    if (status < 200 || status > 299) throw new Error(`webhook answered HTTP ${status}`);
  }

  /** One POST; resolves with the status once the answer's head is in (its body is discarded). */
  private send(body: string, headers: Record<string, string>, signal: AbortSignal): Promise<number> {
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const req = request(
        this.url,
        { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: this.agent, signal },
        (res: IncomingMessage) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

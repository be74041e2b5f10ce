/**
 * Why a broker sink refused a batch. deliver() rejects with this; the outbox records `code` and `message` as the sink's
 * last error, so neither may carry a secret: messages name the broker, topic or stream and the broker's error, never a
 * password, token or creds file.
 */
export type SinkErrorCode =
  /** The config is malformed (see broker-config.ts). */
  | 'ERR_SINK_CONFIG'
  /** The broker could not be reached, or did not acknowledge in time: retry later. */
  | 'ERR_SINK_UNAVAILABLE'
  /** A connection was refused by the destination rule: the host resolves to a non-public address (sink-destinations.ts). */
  | 'ERR_SINK_DESTINATION'
  /** The broker answered with an error (unknown topic, no stream for the subject, not authorized...). */
  | 'ERR_SINK_REJECTED'
  /** deliver() after close(). */
  | 'ERR_SINK_CLOSED';

export class SinkError extends Error {
  readonly code: SinkErrorCode;
  readonly kind: string;
  constructor(kind: string, code: SinkErrorCode, message: string) {
    super(`${kind} sink: ${message}`);
    this.name = 'SinkError';
    this.code = code;
    this.kind = kind;
  }
}

/** Runs `work` but rejects with ERR_SINK_UNAVAILABLE once `ms` have passed (calling `onTimeout` first). */
export async function withDeadline<T>(kind: string, ms: number, what: string, work: Promise<T>, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new SinkError(kind, 'ERR_SINK_UNAVAILABLE', `${what}: no acknowledgement within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined); // the abandoned work may still fail later: not an unhandled rejection
  }
}

/** The message of an error from a broker client, cut short (a broker's error text, never the config's secret). */
export function brokerMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

/**
 * libthrift's SASL transport (TSaslClientTransport, the same for every mechanism) as HmsClient speaks it on its socket,
 * plain or TLS. Negotiation: messages of one status byte (START 1, OK 2, BAD 3, ERROR 4, COMPLETE 5), a 4-byte
 * big-endian length and the payload. The client sends START with the mechanism's name, then its initial response (in
 * COMPLETE when the mechanism is done with it, as PLAIN is; else OK), and answers each OK challenge of the server until
 * the server says COMPLETE; BAD or ERROR carry the server's reason. After it every Thrift message (the binary protocol,
 * unchanged) goes as one frame each way: a 4-byte big-endian length, then the payload (wrapped by the mechanism when
 * it negotiated a security layer; PLAIN has none).
 *
 * A mechanism is a small object (SaslMechanism): PLAIN is here; GSSAPI would answer the server's tokens in evaluate()
 * and wrap/unwrap frames after an auth-int/auth-conf negotiation. The password is a secret: it is only ever written to
 * the socket, never put in an error (the server's reason is scrubbed of it, should a server ever echo it).
 */

export const SASL = { START: 1, OK: 2, BAD: 3, ERROR: 4, COMPLETE: 5 } as const;

/** A SASL mechanism on the client's side. */
export interface SaslMechanism {
  /** Its name, sent in START (PLAIN, GSSAPI). */
  readonly name: string;
  /** The initial response, and whether the client is done after it. */
  initial(): Promise<{ response: Buffer; complete: boolean }>;
  /** The answer to a server's challenge (an OK message), and whether the client is done after it. */
  evaluate(challenge: Buffer): Promise<{ response: Buffer; complete: boolean }>;
  /** After negotiation: a frame's payload as sent (wrapped by a negotiated security layer) and as received. */
  wrap?(payload: Buffer): Buffer;
  unwrap?(payload: Buffer): Buffer;
  /** Texts that must never appear in an error (the password). */
  readonly secrets: readonly string[];
  /** The settings to check when the metastore refuses the login (named in the error). */
  readonly settings: string;
  /** What else a refusal can mean, beyond the metastore's reach of Lakegate's settings (named after them). */
  readonly remoteCauses?: string;
}

/** RFC 4616 PLAIN: [authzid] NUL authcid NUL passwd, in one initial response; the server's COMPLETE ends it. */
export function plainMechanism(username: string, password: string): SaslMechanism {
  return {
    name: 'PLAIN',
    secrets: [password],
    settings: 'federation.username and federation-secret.password',
    // HMS answers every failed password check alike, its own LDAP bind user's or TLS trust's failure included.
    remoteCauses:
      "if they are right, the metastore's own check failed (with metastore.authentication=LDAP: its bind user, .binddn and .bindpw, or its trust in the LDAP server's certificate; the metastore's log says which)",
    initial: () => Promise.resolve({ response: Buffer.from(`\0${username}\0${password}`, 'utf8'), complete: true }),
    evaluate: () => Promise.reject(new Error('PLAIN takes no challenge')),
  };
}

/** One negotiation message: status, 4-byte length, payload. */
export function saslMessage(status: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head[0] = status;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** One Thrift frame of the negotiated transport: 4-byte length, payload. */
export function saslFrame(payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length, 0);
  return Buffer.concat([head, payload]);
}

/** A negotiation message or frame larger than this is not a metastore's answer (libthrift's default limit is 100 MB). */
const MAX_LENGTH = 100 * 1024 * 1024;

/** Why the negotiation failed: the server refused the login (BAD/ERROR), the mechanism failed here, or the server did not speak SASL. */
export class SaslError extends Error {
  constructor(
    message: string,
    readonly kind: 'refused' | 'client' | 'protocol',
  ) {
    super(message);
    this.name = 'SaslError';
  }
}

const scrub = (text: string, secrets: readonly string[]) => secrets.reduce((t, s) => (s === '' ? t : t.split(s).join('***')), text);

/**
 * The client's side of one negotiation, fed the bytes the server sends (push) and writing through `write`. Resolves
 * `done` once the server said COMPLETE (onComplete has then had any bytes that came after it, the first frames'
 * start), rejects with a SaslError on BAD/ERROR or a message that is not SASL.
 */
export class SaslNegotiation {
  private buffered: Buffer = Buffer.alloc(0);
  private clientComplete = false;
  private finished = false;
  /** The server said COMPLETE: bytes after it are frames, not negotiation messages. */
  private serverComplete = false;
  /** Messages are handled one after another (a mechanism's evaluate may be asynchronous). */
  private chain: Promise<void> = Promise.resolve();
  readonly done: Promise<Buffer>;
  private settle!: { resolve(rest: Buffer): void; reject(e: Error): void };

  constructor(
    private readonly mechanism: SaslMechanism,
    private readonly write: (bytes: Buffer) => void,
    /** Called (synchronously, before `done` resolves) with the bytes that came after the server's COMPLETE. */
    private readonly onComplete: (rest: Buffer) => void,
  ) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined);
  }

  async start(): Promise<void> {
    try {
      const first = await this.mechanism.initial();
      this.clientComplete = first.complete;
      this.write(
        Buffer.concat([
          saslMessage(SASL.START, Buffer.from(this.mechanism.name, 'utf8')),
          saslMessage(first.complete ? SASL.COMPLETE : SASL.OK, first.response),
        ]),
      );
    } catch (e) {
      this.fail(new SaslError(`the SASL ${this.mechanism.name} client failed: ${scrub((e as Error).message, this.mechanism.secrets)}`, 'client'));
    }
  }

  push(data: Buffer): void {
    if (this.finished) return;
    this.buffered = Buffer.concat([this.buffered, data]);
    while (!this.finished && !this.serverComplete && this.buffered.length >= 5) {
      const status = this.buffered[0]!;
      const length = this.buffered.readUInt32BE(1);
      if (status < SASL.START || status > SASL.COMPLETE || length > MAX_LENGTH)
        return this.fail(new SaslError('the metastore did not answer the SASL negotiation (is it in a password or Kerberos mode?)', 'protocol'));
      if (this.buffered.length < 5 + length) return;
      const payload = this.buffered.subarray(5, 5 + length);
      this.buffered = this.buffered.subarray(5 + length);
      if (status === SASL.COMPLETE) this.serverComplete = true;
      this.chain = this.chain.then(() => this.message(status, payload));
    }
  }

  private async message(status: number, payload: Buffer): Promise<void> {
    const reason = () => scrub(payload.toString('utf8').slice(0, 300), this.mechanism.secrets) || 'no reason given';
    if (status === SASL.BAD || status === SASL.ERROR) return this.fail(new SaslError(reason(), 'refused'));
    if (status === SASL.COMPLETE) {
      if (!this.clientComplete && payload.length > 0) await this.answer(payload);
      this.finished = true;
      const rest = this.buffered;
      this.buffered = Buffer.alloc(0);
      this.onComplete(rest);
      return this.settle.resolve(rest);
    }
    if (status === SASL.OK) return this.answer(payload);
    this.fail(new SaslError(`the metastore sent SASL status ${status} during the negotiation`, 'protocol'));
  }

  private async answer(challenge: Buffer): Promise<void> {
    try {
      const next = await this.mechanism.evaluate(challenge);
      this.clientComplete = next.complete;
      if (!this.finished) this.write(saslMessage(next.complete ? SASL.COMPLETE : SASL.OK, next.response));
    } catch (e) {
      this.fail(new SaslError(`the SASL ${this.mechanism.name} client failed: ${scrub((e as Error).message, this.mechanism.secrets)}`, 'client'));
    }
  }

  private fail(e: SaslError): void {
    if (this.finished) return;
    this.finished = true;
    this.settle.reject(e);
  }
}

/** Reassembles the negotiated transport's frames from socket data; each whole frame's payload goes to `onFrame`. */
export class SaslFrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(
    private readonly onFrame: (payload: Buffer) => void,
    private readonly unwrap: (payload: Buffer) => Buffer = (p) => p,
  ) {}

  push(data: Buffer): void {
    this.buffered = this.buffered.length === 0 ? data : Buffer.concat([this.buffered, data]);
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUInt32BE(0);
      if (length > MAX_LENGTH) throw new SaslError(`a SASL frame of ${length} bytes`, 'protocol');
      if (this.buffered.length < 4 + length) return;
      const payload = this.buffered.subarray(4, 4 + length);
      this.buffered = this.buffered.subarray(4 + length);
      this.onFrame(this.unwrap(payload));
    }
  }
}

/**
 * Whether a non-SASL client's first bytes are a SASL server's ERROR or BAD message (a metastore in a password or
 * Kerberos mode answers a plain Thrift call with one, e.g. "Invalid status -128"): its reason, else undefined.
 */
export function saslRefusal(b: Buffer): string | undefined {
  if (b.length < 5 || (b[0] !== SASL.ERROR && b[0] !== SASL.BAD)) return undefined;
  const length = b.readUInt32BE(1);
  if (length > 1000 || b.length < 5 + length) return undefined;
  const text = b.subarray(5, 5 + length).toString('utf8');
  return /^[\x20-\x7e]*$/.test(text) ? text : undefined;
}

/**
 * A Thrift client of a Hive Metastore (ThriftHiveMetastore), as HMS serves it by default: the binary protocol over a
 * plain (buffered, unframed) TCP stream; or the same stream inside TLS (HMS's hive.metastore.use.SSL), the
 * metastore's certificate always verified (against the CA bundle given, else Node's default roots) and its name
 * checked (against the server-name override, else the host). With a SASL mechanism (a password login: SASL PLAIN), each
 * connection first negotiates it, then frames every message (sasl-transport.ts). One connection, kept open and reopened after any failure; calls go
 * one at a time over it (Thrift's synchronous RPC: a reply answers the last call). Every call is bounded by the
 * timeout; a call cut by the timeout closes the connection (its late reply must not answer the next call).
 * The messages are encoded by the `thrift` package (thrift-values.ts says why no generated client).
 */
import net from 'node:net';
import tls from 'node:tls';
import { type SaslMechanism, SaslError, SaslFrameReader, SaslNegotiation, saslFrame, saslRefusal } from './sasl-transport.js';
import { type Protocol, type ReadTransport, readStruct, T, type ThriftStruct, type ThriftValue, thrift, writeStruct } from './thrift-values.js';

/** A declared exception of the call (HMS's NoSuchObjectException, MetaException, ...): which result field, and its message. */
export class HmsException extends Error {
  constructor(
    readonly method: string,
    /** The exception's field id in the call's result struct (its position in the IDL's `throws`). */
    readonly field: number,
    message: string,
  ) {
    super(message);
    this.name = 'HmsException';
  }
}

/** The metastore could not be reached, did not answer in time, or answered something that is not a reply. */
export class HmsTransportError extends Error {
  constructor(
    message: string,
    /**
     * tls: the metastore's certificate failed verification; tls-client: the metastore (or the TLS front before it)
     * refused Lakegate's client certificate or asked for one it was not given (both settings to fix, not outages);
     * auth: the metastore refused Lakegate's login (SASL BAD/ERROR), or wants one it was not given; login: Lakegate's
     * side of the login failed (no Kerberos ticket, an unknown service principal).
     */
    readonly kind: 'unreachable' | 'timeout' | 'protocol' | 'tls' | 'tls-client' | 'auth' | 'login',
  ) {
    super(message);
    this.name = 'HmsTransportError';
  }
}

/**
 * TLS towards the metastore: the CA certificates (PEM) to trust instead of Node's roots, the name to verify, and for
 * mutual TLS the client certificate (PEM chain) with its private key (PEM; a secret: never logged, never in an error).
 */
export interface HmsTls {
  ca?: string | undefined;
  servername?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/** OpenSSL's and Node's codes of a certificate that failed verification (the others are handshake or socket failures). */
const VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The TLS alerts a server sends when it wants a client certificate it did not get, or refuses the one it got (OpenSSL's
 * codes as Node reports them): TLS 1.3's certificate_required, and bad_certificate, unsupported/revoked/expired/unknown
 * certificate, unknown_ca, access_denied and (TLS 1.2 servers that require one) handshake_failure.
 */
const CLIENT_REFUSED =
  /^ERR_SSL_(TLSV13_ALERT_CERTIFICATE_REQUIRED|SSLV3_ALERT_(BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|HANDSHAKE_FAILURE)|TLSV1_ALERT_(UNKNOWN_CA|ACCESS_DENIED))$/;

/** The first bytes of a TLS record a plain client may get back from a metastore serving TLS (an alert or a handshake). */
const looksLikeTls = (b: Buffer) => b.length >= 3 && (b[0] === 0x15 || b[0] === 0x16) && b[1] === 0x03 && b[2]! <= 0x04;

/** Why the metastore's TLS end refused the handshake, in the settings' words (never the key). */
function clientRefused(code: string, certificateGiven: boolean): string {
  if (!certificateGiven)
    return `the metastore's TLS end requires a client certificate (mutual TLS; ${code}): set federation.tls-client-cert and federation-secret.tls-client-key`;
  return `the metastore's TLS end refused Lakegate's client certificate (${code}): check federation.tls-client-cert (its issuer must be one the metastore's TLS end trusts)`;
}

interface Pending {
  method: string;
  resolve(result: ThriftStruct): void;
  reject(e: Error): void;
}

export class HmsClient {
  private socket: net.Socket | undefined;
  /** Writes one whole Thrift message on the open connection (a SASL frame with a mechanism, the bytes as they are without). */
  private send: (message: Buffer) => void = () => undefined;
  private pending: Pending | undefined;
  private seqid = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly timeoutMs: number,
    /** Set: the connection is TLS (verification always on). */
    private readonly tlsOptions?: HmsTls | undefined,
    /** Set: each connection logs in with a fresh mechanism of this factory (SASL), then frames its messages. */
    private readonly sasl?: (() => SaslMechanism) | undefined,
  ) {}

  /**
   * Calls METHOD with its argument struct's fields; resolves the reply's `success` value (field 0; undefined for a
   * void call), rejects with an HmsException for a declared exception, an HmsTransportError otherwise.
   */
  call(method: string, args: Array<[number, ThriftValue]>): Promise<ThriftValue | undefined> {
    const run = this.queue.then(() => this.callNow(method, args));
    this.queue = run.catch(() => undefined);
    return run.then((result) => {
      for (const [id, value] of result) {
        if (id > 0 && value.type === T.STRUCT) {
          const message = value.value.get(1);
          throw new HmsException(method, id, message?.type === T.STRING ? message.value.toString('utf8').slice(0, 1000) : '');
        }
      }
      return result.get(0);
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private async callNow(method: string, args: Array<[number, ThriftValue]>): Promise<ThriftStruct> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    await this.connected(deadline);
    return new Promise<ThriftStruct>((resolve, reject) => {
      const fail = (e: Error) => {
        this.pending = undefined;
        deadline.removeEventListener('abort', onTimeout);
        this.close();
        reject(e);
      };
      const onTimeout = () => fail(new HmsTransportError(`${method}: no answer within ${this.timeoutMs} ms`, 'timeout'));
      deadline.addEventListener('abort', onTimeout, { once: true });
      this.pending = {
        method,
        resolve: (result) => {
          this.pending = undefined;
          deadline.removeEventListener('abort', onTimeout);
          resolve(result);
        },
        reject: fail,
      };
      const seqid = ++this.seqid;
      const send = this.send;
      const out = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, (message) => send(message)));
      out.writeMessageBegin(method, thrift.Thrift.MessageType.CALL, seqid);
      writeStruct(out, new Map(args));
      out.writeMessageEnd();
      out.flush();
    });
  }

  private connected(deadline: AbortSignal): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const secure = this.tlsOptions !== undefined;
      const socket = secure
        ? tls.connect({
            host: this.host,
            port: this.port,
            ca: this.tlsOptions!.ca,
            servername: this.tlsOptions!.servername ?? (net.isIP(this.host) ? undefined : this.host),
            cert: this.tlsOptions!.cert,
            key: this.tlsOptions!.key,
            minVersion: 'TLSv1.2',
            rejectUnauthorized: true,
          })
        : net.connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      const mechanism = this.sasl?.();
      let negotiation: SaslNegotiation | undefined;
      let frames: SaslFrameReader | undefined;
      const failConnect = (error: Error) => {
        deadline.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(error);
      };
      const onAbort = () =>
        failConnect(
          negotiation
            ? new HmsTransportError(
                `no answer to the SASL ${mechanism!.name} login within ${this.timeoutMs} ms: does the metastore take logins (federation.auth; for a password, metastore.authentication=CONFIG)?`,
                'timeout',
              )
            : new HmsTransportError(`no ${secure ? 'TLS connection' : 'connection'} within ${this.timeoutMs} ms`, 'timeout'),
        );
      deadline.addEventListener('abort', onAbort, { once: true });
      const open = () => {
        deadline.removeEventListener('abort', onAbort);
        this.socket = socket;
        this.send = mechanism ? (message) => socket.write(saslFrame(mechanism.wrap ? mechanism.wrap(message) : message)) : (message) => socket.write(message);
        resolve(socket);
      };
      // A TLS socket's 'connect' is the TCP connection; its handshake is done at 'secureConnect'.
      let tcpConnected = false;
      socket.once('connect', () => (tcpConnected = true));
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        if (!mechanism) return open();
        negotiation = new SaslNegotiation(
          mechanism,
          (bytes) => socket.write(bytes),
          (rest) => {
            frames = new SaslFrameReader(receiver, mechanism.unwrap?.bind(mechanism));
            if (rest.length > 0) frames.push(rest);
          },
        );
        negotiation.done.then(open, (e: SaslError) =>
          failConnect(
            e.kind === 'refused'
              ? new HmsTransportError(
                  `the metastore refused Lakegate's ${mechanism.name} login (${e.message}): check ${mechanism.settings}${mechanism.remoteCauses ? `; ${mechanism.remoteCauses}` : ''}`,
                  'auth',
                )
              : e.kind === 'client'
                ? new HmsTransportError(`${e.message}: check ${mechanism.settings}`, 'login')
                : new HmsTransportError(e.message, 'protocol'),
          ),
        );
        void negotiation.start();
      });
      socket.on('error', (e: NodeJS.ErrnoException) => {
        deadline.removeEventListener('abort', onAbort);
        const code = e.code ?? 'error';
        const error = VERIFY_CODES.has(code)
          ? new HmsTransportError(
              `TLS verification of the metastore's certificate failed (${code}): check federation.tls-ca and federation.tls-server-name`,
              'tls',
            )
          : secure && CLIENT_REFUSED.test(code)
            ? new HmsTransportError(clientRefused(code, this.tlsOptions!.cert !== undefined), 'tls-client')
            : secure && tcpConnected && !negotiation && this.socket !== socket
              ? new HmsTransportError(`the TLS handshake failed (${code}): does the metastore serve TLS (hive.metastore.use.SSL)?`, 'unreachable')
              : new HmsTransportError(`connection failed (${code})`, 'unreachable');
        if (this.socket !== socket) return reject(error);
        this.pending?.reject(error);
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        else if (negotiation) failConnect(new HmsTransportError(`the metastore closed the connection during the SASL ${mechanism!.name} login`, 'unreachable'));
        // A metastore that wants a login (or TLS) closes a plain call's connection without a byte.
        const unanswered = first && !mechanism && !secure;
        this.pending?.reject(
          new HmsTransportError(
            unanswered
              ? 'the metastore closed the connection without answering: does it want a login (federation.auth) or TLS (federation.tls)?'
              : 'the metastore closed the connection',
            'unreachable',
          ),
        );
      });
      const receiver = thrift.TBufferedTransport.receiver((reader) => this.receive(reader));
      let first = true;
      socket.on('data', (data: Buffer) => {
        if (mechanism) {
          if (!frames) return negotiation?.push(data);
          try {
            return frames.push(data);
          } catch (e) {
            return this.pending ? this.pending.reject(new HmsTransportError((e as Error).message, 'protocol')) : this.close();
          }
        }
        // Only a connection's first bytes: a Thrift reply starts with 0x80 (the binary protocol's version), never a TLS record.
        const firstBytes = first && this.pending !== undefined;
        first = false;
        if (firstBytes && !secure && looksLikeTls(data))
          return this.pending!.reject(
            new HmsTransportError('the metastore answered in TLS: it serves TLS (hive.metastore.use.SSL), so set federation.tls true', 'protocol'),
          );
        const refusal = firstBytes ? saslRefusal(data) : undefined;
        if (refusal !== undefined)
          return this.pending!.reject(
            new HmsTransportError(
              `the metastore wants a SASL login (it answered "${refusal.slice(0, 200)}"): set federation.auth (password: federation.username and federation-secret.password)`,
              'auth',
            ),
          );
        receiver(data);
      });
    });
  }

  /** Data arrived: a whole reply answers the pending call; a partial one waits for more (InputBufferUnderrunError). */
  private receive(reader: ReadTransport): void {
    const pending = this.pending;
    if (!pending) return void this.close();
    try {
      const p: Protocol = new thrift.TBinaryProtocol(reader);
      const header = p.readMessageBegin();
      const body = readStruct(p);
      p.readMessageEnd();
      reader.commitPosition();
      if (header.mtype === thrift.Thrift.MessageType.EXCEPTION) {
        const message = body.get(1);
        return pending.reject(
          new HmsTransportError(
            `${pending.method}: the metastore answered ${message?.type === T.STRING ? message.value.toString('utf8').slice(0, 300) : 'an application exception'}`,
            'protocol',
          ),
        );
      }
      if (header.fname !== pending.method || header.rseqid !== this.seqid)
        return pending.reject(new HmsTransportError(`${pending.method}: a reply to another call (${header.fname.slice(0, 100)})`, 'protocol'));
      pending.resolve(body);
    } catch (e) {
      if (e instanceof thrift.InputBufferUnderrunError) return reader.rollbackPosition();
      pending.reject(new HmsTransportError(`${pending.method}: the reply is not Thrift (${(e as Error).message.slice(0, 200)})`, 'protocol'));
    }
  }
}

/**
 * HmsClient's SASL transport (libthrift's TSaslClientTransport framing) against a small SASL server in the test that
 * speaks it as libthrift's TSaslServerTransport does: START with the mechanism, the client's COMPLETE with PLAIN's
 * response, the server's COMPLETE or BAD, then every Thrift message in a 4-byte length frame. The server sends its
 * bytes one at a time, so every message and frame arrives split. The real metastore is test/interop/federation-hive-password.test.ts.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HmsClient, HmsTransportError } from './hms-client.js';
import { plainMechanism, SASL, saslFrame, saslMessage } from './sasl-transport.js';
import { asList, asString, list, str, T, thrift, writeStruct } from './thrift-values.js';

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A Thrift reply to get_all_databases (seqid as asked) answering `names`. */
function reply(seqid: number, names: string[]): Buffer {
  let out = Buffer.alloc(0);
  const p = new thrift.TBinaryProtocol(new thrift.TBufferedTransport(undefined, (b: Buffer) => (out = Buffer.concat([out, b]))));
  p.writeMessageBegin('get_all_databases', thrift.Thrift.MessageType.REPLY, seqid);
  writeStruct(
    p,
    new Map([
      [
        0,
        list(
          T.STRING,
          names.map((n) => str(n)),
        ),
      ],
    ]),
  );
  p.writeMessageEnd();
  p.flush();
  return out;
}

/** Writes BYTES one at a time (each its own TCP segment as far as the client can tell). */
async function trickle(socket: net.Socket, bytes: Buffer): Promise<void> {
  for (const b of bytes) await new Promise<void>((resolve) => socket.write(Buffer.of(b), () => resolve()));
}

/** What the fake server saw: the mechanism, the PLAIN response, the frames' lengths. */
interface Seen {
  mechanism?: string;
  response?: string;
  frames: number;
}

/** A SASL PLAIN server taking USER/PASSWORD; a wrong login gets BAD with `badReason`. */
async function saslServer(user: string, password: string, badReason = 'Error validating the login'): Promise<{ port: number; seen: Seen }> {
  const seen: Seen = { frames: 0 };
  const server = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    let state: 'start' | 'response' | 'frames' = 'start';
    socket.on('data', (data: Buffer) => {
      buffered = Buffer.concat([buffered, data]);
      for (;;) {
        if (state !== 'frames') {
          if (buffered.length < 5) return;
          // libthrift checks the status byte before it reads the payload.
          if (state === 'start' && buffered[0] !== SASL.START)
            return void socket.end(saslMessage(SASL.ERROR, Buffer.from(`Invalid status ${(buffered[0]! << 24) >> 24}`)));
          const length = buffered.readUInt32BE(1);
          if (buffered.length < 5 + length) return;
          const [status, payload] = [buffered[0], buffered.subarray(5, 5 + length).toString('utf8')];
          buffered = buffered.subarray(5 + length);
          if (state === 'start') {
            seen.mechanism = payload;
            state = 'response';
            continue;
          }
          seen.response = payload.replace(/\0/g, '|');
          if (status !== SASL.COMPLETE || payload !== `\0${user}\0${password}`) return void socket.end(saslMessage(SASL.BAD, Buffer.from(badReason)));
          void trickle(socket, saslMessage(SASL.COMPLETE, Buffer.alloc(0)));
          state = 'frames';
          continue;
        }
        if (buffered.length < 4) return;
        const length = buffered.readUInt32BE(0);
        if (buffered.length < 4 + length) return;
        const message = buffered.subarray(4, 4 + length);
        buffered = buffered.subarray(4 + length);
        seen.frames++;
        // The call's seqid: after the version word, the name (length-prefixed), then the seqid.
        const seqid = message.readInt32BE(8 + message.readUInt32BE(4));
        void trickle(socket, saslFrame(reply(seqid, ['default', `frame-${seen.frames}`])));
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, seen };
}

const names = (v: unknown) => asList(v as never).map((x) => asString(x));

describe('HmsClient with a SASL PLAIN login', () => {
  it('negotiates, then frames every call and unframes every reply, split however the bytes arrive', async () => {
    const { port, seen } = await saslServer('lakegate', 's3cret');
    const client = new HmsClient('127.0.0.1', port, 5000, undefined, () => plainMechanism('lakegate', 's3cret'));
    try {
      expect(names(await client.call('get_all_databases', []))).toEqual(['default', 'frame-1']);
      expect(names(await client.call('get_all_databases', []))).toEqual(['default', 'frame-2']);
      expect(seen).toEqual({ mechanism: 'PLAIN', response: '|lakegate|s3cret', frames: 2 });
    } finally {
      client.close();
    }
  });

  it("answers the server's BAD as an auth failure naming the settings, never the password (even if the server echoes it)", async () => {
    const { port } = await saslServer('lakegate', 's3cret', 'Error validating the login of lakegate with wrong-pw');
    const client = new HmsClient('127.0.0.1', port, 5000, undefined, () => plainMechanism('lakegate', 'wrong-pw'));
    try {
      const failed = await client.call('get_all_databases', []).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failed).toBeInstanceOf(HmsTransportError);
      expect((failed as HmsTransportError).kind).toBe('auth');
      expect((failed as Error).message).toContain("the metastore refused Lakegate's PLAIN login");
      expect((failed as Error).message).toContain('federation-secret.password');
      // HMS says the same when its own LDAP bind user or TLS trust fails: the message names that side too.
      expect((failed as Error).message).toContain("if they are right, the metastore's own check failed");
      expect((failed as Error).message).not.toContain('wrong-pw');
    } finally {
      client.close();
    }
  });

  it("a client without a login gets the SASL server's ERROR as an auth failure naming federation.auth, not a timeout", async () => {
    const { port } = await saslServer('lakegate', 's3cret');
    const client = new HmsClient('127.0.0.1', port, 20_000);
    try {
      const failed = await client.call('get_all_databases', []).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((failed as HmsTransportError).kind).toBe('auth');
      expect((failed as Error).message).toContain('the metastore wants a SASL login');
      expect((failed as Error).message).toContain('federation.auth');
    } finally {
      client.close();
    }
  });
});

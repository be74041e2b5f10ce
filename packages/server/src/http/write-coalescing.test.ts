import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceWrites, noteRequestTurn } from './write-coalescing.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: http.RequestListener, onConnection: (socket: Socket) => void = coalesceWrites): Promise<string> {
  const server = http.createServer({ keepAliveTimeout: 5_000 }, handler);
  server.on('connection', onConnection);
  server.prependListener('request', noteRequestTurn);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('coalesceWrites', () => {
  /** Records, underneath the coalescing, when bytes really go to the socket. */
  const recordingWrites = (events: string[]) => (socket: Socket) => {
    const write = socket._write;
    const writev = socket._writev!;
    socket._write = function (...args: Parameters<Socket['_write']>) {
      events.push('written');
      return write.apply(this, args);
    };
    socket._writev = function (...args: Parameters<NonNullable<Socket['_writev']>>) {
      events.push('written');
      return writev.apply(this, args);
    };
    coalesceWrites(socket);
  };

  it("holds a response answered in its request's turn until the end of the turn, then writes it before anything scheduled after it", async () => {
    const events: string[] = [];
    const url = await serve((req, res) => {
      res.end(Buffer.from(`answer to ${req.url}`));
      events.push(`ended ${req.url}`);
      // Scheduled after the write's flush: the write has left by then.
      setImmediate(() => events.push(`turn over ${req.url}`));
    }, recordingWrites(events));
    const res = await fetch(`${url}/a`);
    expect(await res.text()).toBe('answer to /a');
    expect(events).toEqual(['ended /a', 'written', 'turn over /a']);
  });

  it("writes at once a response that waited for I/O past its request's turn", async () => {
    const events: string[] = [];
    const url = await serve((req, res) => {
      // As a PostgreSQL read: answered in a later turn of the loop.
      setTimeout(() => {
        res.end(`late answer to ${req.url}`);
        events.push(`ended ${req.url}`);
      }, 5);
    }, recordingWrites(events));
    const res = await fetch(`${url}/b`);
    expect(await res.text()).toBe('late answer to /b');
    expect(events).toEqual(['written', 'ended /b']);
  });

  it('answers concurrent, keep-alive and large responses intact and in order', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 7);
    const url = await serve((req, res) => {
      if (req.url === '/big') {
        res.setHeader('content-length', big.length);
        // Streamed in 64 KiB chunks: each write waits for the previous one, as a stream does.
        let at = 0;
        const next = (): void => {
          while (at < big.length) {
            const chunk = big.subarray(at, (at += 65_536));
            if (!res.write(chunk)) {
              res.once('drain', next);
              return;
            }
          }
          res.end();
        };
        next();
        return;
      }
      res.setHeader('content-type', 'text/plain');
      res.end(`body of ${req.url}`);
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const get = (path: string): Promise<Buffer> =>
      new Promise((resolve, reject) => {
        http
          .get(`${url}${path}`, { agent }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (d: Buffer) => parts.push(d));
            res.on('end', () => resolve(Buffer.concat(parts)));
            res.on('error', reject);
          })
          .on('error', reject);
      });
    const paths = Array.from({ length: 200 }, (_, i) => `/r${i}`);
    const [bodies, large] = await Promise.all([Promise.all(paths.map(get)), get('/big')]);
    agent.destroy();
    expect(bodies.map(String)).toEqual(paths.map((p) => `body of ${p}`));
    expect(large.equals(big)).toBe(true);
  });

  it('survives a client that hangs up before its answer leaves', async () => {
    let answered!: () => void;
    const done = new Promise<void>((r) => (answered = r));
    const url = await serve((req, res) => {
      if (req.url !== '/gone') {
        res.end('fine');
        return;
      }
      // The client is gone by the time this answer is flushed.
      req.socket.destroy();
      res.end('too late');
      setImmediate(() => setImmediate(answered));
    });
    await expect(fetch(`${url}/gone`)).rejects.toThrow();
    await done;
    // The server still answers.
    const next = await fetch(`${url}/next`, { headers: { connection: 'close' } });
    expect(await next.text()).toBe('fine');
  });
});

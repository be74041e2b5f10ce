import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { currentBatch } from '../runtime/end-of-turn.js';
import { dispatchRequestsPerTurn } from './turn-dispatch.js';
import { coalesceWrites } from './write-coalescing.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

let accepted = 0;

/** A server as app.ts builds it: the application's listener, dispatched per turn, writes coalesced. */
async function serve(handler: http.RequestListener): Promise<number> {
  const server = http.createServer({ keepAliveTimeout: 5_000 }, handler);
  accepted = 0;
  server.on('connection', coalesceWrites);
  server.on('connection', () => (accepted += 1));
  dispatchRequestsPerTurn(server);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** Opens `n` connections, then writes one request on each in the same synchronous run, and reads every answer. */
async function burst(port: number, n: number, request: (i: number) => string): Promise<string[]> {
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Socket>((resolve, reject) =>
          net
            .connect(port, '127.0.0.1')
            .once('connect', function (this: net.Socket) {
              resolve(this);
            })
            .once('error', reject),
        ),
    ),
  );
  // Once the server has accepted them all, bytes written now are read by its next poll, together.
  while (accepted < n) await new Promise((resolve) => setTimeout(resolve, 1));
  const answers = sockets.map(
    (socket) =>
      new Promise<string>((resolve, reject) => {
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          text += chunk;
          const head = text.indexOf('\r\n\r\n');
          const length = /content-length: (\d+)/i.exec(text)?.[1];
          if (head >= 0 && length !== undefined && text.length >= head + 4 + Number(length)) {
            socket.end();
            resolve(text.slice(head + 4));
          }
        });
        socket.once('error', reject);
      }),
  );
  sockets.forEach((socket, i) => socket.write(request(i)));
  return Promise.all(answers);
}

describe('dispatchRequestsPerTurn', () => {
  it('hands the requests read in one poll to the application together: one batch for all of them', async () => {
    const batches: Array<object | undefined> = [];
    const port = await serve((req, res) => {
      batches.push(currentBatch());
      res.setHeader('content-length', Buffer.byteLength(`answer ${req.url}`));
      res.end(`answer ${req.url}`);
    });
    const answers = await burst(port, 8, (i) => `GET /r${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(answers).toEqual(Array.from({ length: 8 }, (_, i) => `answer /r${i}`));
    expect(batches).toHaveLength(8);
    expect(batches[0]).toBeDefined();
    // Written in one synchronous run on loopback, all eight are readable at the server's next poll.
    expect(new Set(batches).size).toBe(1);
  });

  it('answers a request whose handler reads its body and waits for I/O, and a lone request, in a later batch', async () => {
    const port = await serve((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () =>
        setTimeout(() => {
          const answer = `${req.method} ${req.url} ${body} ${currentBatch() === undefined ? 'outside any batch' : 'in a batch'}`;
          res.setHeader('content-length', Buffer.byteLength(answer));
          res.end(answer);
        }, 2),
      );
    });
    const payload = 'x'.repeat(100_000);
    const [answer] = await burst(port, 1, () => `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ${payload.length}\r\n\r\n${payload}`);
    expect(answer).toBe(`POST /echo ${payload} outside any batch`);
  });

  it('refuses to take over a server that has no single application listener', () => {
    const server = http.createServer();
    expect(() => dispatchRequestsPerTurn(server)).toThrow(TypeError);
  });
});

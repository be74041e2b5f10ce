import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogError } from '../../errors/catalog-error.js';
import { dispatchRequestsPerTurn } from '../turn-dispatch.js';
import { useLosslessJson } from './json-body.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** A listening server with the JSON body parser and a body limit of 64 bytes, dispatched per turn as app.ts does. */
async function serve(): Promise<number> {
  const app = Fastify({ bodyLimit: 64 });
  useLosslessJson(app);
  // The surfaces' envelopes in short: a malformed body is a CatalogError (400), Fastify's own errors carry their status.
  app.setErrorHandler((e: Error & { code?: string; statusCode?: number }, _req, reply) =>
    reply.code(e instanceof CatalogError ? 400 : (e.statusCode ?? 500)).send({ code: e.code }),
  );
  // What a handler sees: the value, the exact bytes, and whether the body stream was switched to flowing mode
  // (read with listeners) or left alone (taken whole from its buffer).
  app.post('/echo', async (req) => ({
    body: req.body ?? null,
    raw: req.rawBody ? Buffer.from(req.rawBody).toString('latin1') : null,
    flowing: req.raw.readableFlowing,
  }));
  apps.push(app);
  await app.ready();
  dispatchRequestsPerTurn(app.server);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

/** Writes `parts` to a new connection (`pauseMs` apart) and gives back the status and JSON body of the answer. */
function exchange(port: number, parts: Array<string | Buffer>, pauseMs = 0): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      answer = Buffer.concat([answer, chunk]);
      const head = answer.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(answer.subarray(0, Math.max(head, 0)).toString('latin1'));
      if (head >= 0 && length && answer.length >= head + 4 + Number(length[1])) {
        socket.destroy();
        resolve({ status: Number(answer.subarray(9, 12).toString()), body: JSON.parse(answer.subarray(head + 4).toString('utf8')) as Record<string, unknown> });
      }
    });
    socket.on('error', reject);
    void (async () => {
      for (const part of parts) {
        socket.write(part);
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
    })();
  });
}

const post = (body: string, headers = `Content-Length: ${Buffer.byteLength(body)}`) =>
  `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${headers}\r\n\r\n${body}`;
const chunked = (...chunks: string[]) => [
  `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
  ...chunks.map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`),
  '0\r\n\r\n',
];

describe('JSON request bodies over HTTP', () => {
  it('takes a body that has arrived whole from the stream buffer: the same value and bytes', async () => {
    const port = await serve();
    const body = '{"snapshot-id":8743215009872310234,"s":"zähler"}';
    const res = await exchange(port, [post(body)]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ body: { 'snapshot-id': 8743215009872310234, s: 'zähler' }, raw: Buffer.from(body).toString('latin1'), flowing: null });
    // A chunked body that has arrived whole, too.
    const whole = await exchange(port, [chunked('{"a":', '[1,2]}').join('')]);
    expect(whole.body).toEqual({ body: { a: [1, 2] }, raw: '{"a":[1,2]}', flowing: null });
  });

  it('reads a body still arriving with listeners: the same value and bytes', async () => {
    const port = await serve();
    const body = '{"a":"still arriving"}';
    const res = await exchange(port, [post(body).slice(0, -body.length), body.slice(0, 5), body.slice(5)], 30);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ body: { a: 'still arriving' }, raw: body, flowing: true });
    const slowChunks = await exchange(port, chunked('{"b":', '1}'), 30);
    expect(slowChunks.body).toEqual({ body: { b: 1 }, raw: '{"b":1}', flowing: true });
  });

  it('refuses a body beyond the limit, whole, arriving or announced, and one that is not UTF-8 JSON', async () => {
    const port = await serve();
    const big = JSON.stringify({ a: 'x'.repeat(100) });
    // Announced by its Content-Length: refused before it is read.
    expect(await exchange(port, [post(big)])).toEqual({ status: 413, body: { code: 'FST_ERR_CTP_BODY_TOO_LARGE' } });
    // Chunked, so only its bytes tell: whole, and still arriving.
    expect(await exchange(port, [chunked(big.slice(0, 50), big.slice(50)).join('')])).toEqual({ status: 413, body: { code: 'FST_ERR_CTP_BODY_TOO_LARGE' } });
    expect(await exchange(port, chunked(big.slice(0, 50), big.slice(50)), 30)).toEqual({ status: 413, body: { code: 'FST_ERR_CTP_BODY_TOO_LARGE' } });
    expect(await exchange(port, [Buffer.from(post('{"a":"\xff"}', 'Content-Length: 9'), 'latin1')])).toEqual({
      status: 400,
      body: { code: 'ERR_BAD_REQUEST' },
    });
    expect(await exchange(port, [post('{"a":')])).toEqual({ status: 400, body: { code: 'ERR_BAD_REQUEST' } });
  });

  it('keeps the connection for the next request once a body is taken whole', async () => {
    const port = await serve();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (body: string) =>
      new Promise<{ status: number; reused: boolean; text: string }>((resolve, reject) => {
        const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/echo', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket, text }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const answers = [];
    for (const n of [1, 2, 3]) answers.push(await send(`{"n":${n}}`));
    agent.destroy();
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.reused)).toEqual([false, true, true]);
    expect(answers.map((a) => (JSON.parse(a.text) as { body: unknown }).body)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('gives no value for an empty body, as before', async () => {
    const port = await serve();
    const res = await exchange(port, [post('')]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ body: null, raw: '', flowing: null });
  });
});

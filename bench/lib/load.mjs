/**
 * The load generator: one raw HTTP/1.1 keep-alive socket per virtual user, closed loop (a
 * connection sends its next request as soon as the previous response is complete), no HTTP
 * library, no pipelining. Plus the machine-quiet wait and the warm-up the benchmarks share.
 */
import net from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { cpuSecondsOf, machineCpu, sleep } from './proc.mjs';

/** Hard bound on the requests of one cell (also the size of its latency buffer). */
export const MAX_REQUESTS_PER_CELL = 2_000_000;
/** Every non-2xx/304 answer counts as an error; these are the ones counted as successes. */
export const isSuccess = (status) => (status >= 200 && status < 300) || status === 304;

export class Conn {
  constructor(port) {
    this.port = port;
    this.sock = null;
    this.buf = null;
    this.pending = null;
  }

  open() {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: this.port });
      s.setNoDelay(true);
      const onErr = (e) => reject(e);
      s.once('error', onErr);
      s.once('connect', () => {
        s.off('error', onErr);
        this.sock = s;
        s.on('data', (d) => s === this.sock && this.onData(d));
        s.on('error', (e) => s === this.sock && this.fail(e));
        s.on('close', () => s === this.sock && this.fail(new Error('connection closed by server')));
        resolve();
      });
    });
  }

  /** Sends one request; resolves with { status, bodyStart, end, close, raw? } when its response is complete. */
  send(req, { keepRaw = false } = {}) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, keepRaw };
      this.buf = null;
      this.sock.write(req);
    });
  }

  onData(d) {
    this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
    let r;
    try {
      r = parseResponse(this.buf);
    } catch (e) {
      return this.fail(e);
    }
    if (r === null) return;
    const p = this.pending;
    this.pending = null;
    if (r.end !== this.buf.length) return this.fail(new Error('unexpected bytes after the response'));
    if (!isSuccess(r.status)) r.sample = this.buf.toString('utf8', r.bodyStart, Math.min(r.end, r.bodyStart + 300));
    if (p?.keepRaw) r.raw = this.buf;
    this.buf = null;
    if (r.close) this.drop();
    p?.resolve(r);
  }

  fail(e) {
    this.drop();
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  drop() {
    const s = this.sock;
    this.sock = null;
    this.buf = null;
    s?.destroy();
  }
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** null while incomplete; else { status, headEnd, bodyStart, end, close }. Content-Length and chunked bodies. */
export function parseResponse(buf) {
  const he = buf.indexOf(CRLFCRLF);
  if (he < 0) return null;
  const head = buf.toString('latin1', 0, he);
  if (!head.startsWith('HTTP/1.')) throw new Error(`not an HTTP response: ${head.slice(0, 40)}`);
  const status = Number(head.slice(9, 12));
  let length = -1;
  let chunked = false;
  let close = head.startsWith('HTTP/1.0');
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line
      .slice(i + 1)
      .trim()
      .toLowerCase();
    if (name === 'content-length') length = Number(value);
    else if (name === 'transfer-encoding') chunked = value.includes('chunked');
    else if (name === 'connection') close = value.includes('close') ? true : value.includes('keep-alive') ? false : close;
  }
  const bodyStart = he + 4;
  if (status === 304 || status === 204 || (status >= 100 && status < 200)) return { status, headEnd: he, bodyStart, end: bodyStart, close };
  if (chunked) {
    let pos = bodyStart;
    for (;;) {
      const le = buf.indexOf(CRLF, pos);
      if (le < 0) return null;
      const size = parseInt(buf.toString('latin1', pos, le), 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      if (size === 0) {
        const te = buf.indexOf(CRLFCRLF, le);
        if (te === le) return { status, headEnd: he, bodyStart, end: le + 4, close, chunked };
        if (te < 0) return null;
        return { status, headEnd: he, bodyStart, end: te + 4, close, chunked };
      }
      pos = le + 2 + size + 2;
      if (pos > buf.length) return null;
    }
  }
  if (length >= 0) return buf.length < bodyStart + length ? null : { status, headEnd: he, bodyStart, end: bodyStart + length, close };
  throw new Error('response without Content-Length or chunked encoding');
}

const extraHeaders = (headers) =>
  Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
export function getRequest(server, p, headers = {}) {
  return Buffer.from(
    `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAccept: application/json\r\nUser-Agent: lakegate-bench\r\n${extraHeaders({ ...server.headers, ...headers })}\r\n`,
    'latin1',
  );
}
export function postRequest(server, p, json, headers = {}) {
  const body = Buffer.from(json, 'utf8');
  const head = Buffer.from(
    `POST ${p} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAccept: application/json\r\nUser-Agent: lakegate-bench\r\n${extraHeaders({ ...server.headers, ...headers })}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    'latin1',
  );
  return Buffer.concat([head, body]);
}

/** One request on a fresh connection; the whole response (raw bytes included). */
export async function requestOnce(port, req) {
  const c = new Conn(port);
  await c.open();
  try {
    return await c.send(req, { keepRaw: true });
  } finally {
    c.drop();
  }
}

/**
 * One measured (or warm-up) cell: `concurrency` closed loops for `seconds`, at most
 * MAX_REQUESTS_PER_CELL. `make(connection, n)` gives the request bytes. `server` needs `port` and
 * `pids()` (the processes whose CPU counts as the server's).
 */
export async function runCell(server, make, concurrency, seconds, { record = true } = {}) {
  const lat = record === true ? new Float64Array(MAX_REQUESTS_PER_CELL) : null;
  let ok = 0;
  let errors = 0;
  let started = 0;
  const statusCounts = {};
  const errorKinds = {};
  const errorSamples = [];
  const conns = Array.from({ length: concurrency }, () => new Conn(server.port));
  // Connect first, so connection set-up is not part of the measurement.
  await Promise.all(conns.map((c) => c.open()));

  const pids = server.pids();
  const cpu0 = process.cpuUsage();
  const srvCpu0 = cpuSecondsOf(pids);
  const m0 = machineCpu();
  const load1 = os.loadavg()[0];
  const t0 = performance.now();
  const endAt = t0 + seconds * 1000;
  let lastDone = t0;

  async function user(i) {
    const c = conns[i];
    let n = 0;
    while (performance.now() < endAt && started < MAX_REQUESTS_PER_CELL) {
      if (!c.sock) {
        try {
          await c.open();
        } catch (e) {
          errors++;
          errorKinds[e.code ?? 'connect'] = (errorKinds[e.code ?? 'connect'] ?? 0) + 1;
          await sleep(10);
          continue;
        }
      }
      started++;
      const req = make(i, n++);
      const ts = performance.now();
      try {
        const r = await c.send(req);
        const te = performance.now();
        lastDone = te;
        statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
        if (isSuccess(r.status)) {
          if (lat) lat[ok] = te - ts;
          ok++;
        } else {
          errors++;
          if (errorSamples.length < 3) errorSamples.push(`${r.status} ${r.sample}`);
        }
      } catch (e) {
        lastDone = performance.now();
        errors++;
        const k = e.code ?? e.message;
        errorKinds[k] = (errorKinds[k] ?? 0) + 1;
      }
    }
  }
  await Promise.all(conns.map((_, i) => user(i)));
  const elapsed = (Math.max(lastDone, endAt) - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const srvCpu = cpuSecondsOf(pids) - srvCpu0;
  const m1 = machineCpu();
  for (const c of conns) c.drop();
  if (!record) return null;
  if (!lat) return { ok, errors, throughput: ok / elapsed };

  const sorted = lat.subarray(0, ok).sort();
  const q = (p) => (ok === 0 ? NaN : sorted[Math.min(ok - 1, Math.ceil((p / 100) * ok) - 1)]);
  return {
    server: server.name,
    concurrency,
    seconds: elapsed,
    ok,
    errors,
    throughput: ok / elapsed,
    p50: q(50),
    p99: q(99),
    max: ok ? sorted[ok - 1] : NaN,
    mean: ok ? sorted.reduce((a, b) => a + b, 0) / ok : NaN,
    statusCounts,
    errorKinds,
    errorSamples,
    clientCpu: (cpu.user + cpu.system) / 1e6 / elapsed, // cores used by the generator
    serverCpu: srvCpu / elapsed, // cores used by the server
    serverCpuPerReqUs: ok ? (srvCpu / ok) * 1e6 : NaN,
    // CPU that neither the server nor the generator used: other processes on the machine (noise).
    otherCpu: Math.max(0, (m1.busy - m0.busy - srvCpu - (cpu.user + cpu.system) / 1e6) / elapsed),
    steal: (m1.steal - m0.steal) / elapsed,
    load1,
  };
}

/**
 * Waits up to `maxSeconds` for a 1 s window in which processes other than the generator and the
 * servers use less than 0.25 cores. Returns the seconds waited and whether it got quiet.
 */
export async function waitQuiet(servers, maxSeconds) {
  if (maxSeconds <= 0) return { waited: 0, quiet: true };
  const t0 = performance.now();
  const own = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6 + servers.reduce((a, srv) => a + cpuSecondsOf(srv.pids()), 0);
  };
  for (;;) {
    const m0 = machineCpu();
    const o0 = own();
    const w0 = performance.now();
    await sleep(1000);
    const other = (machineCpu().busy - m0.busy - (own() - o0)) / ((performance.now() - w0) / 1000);
    const waited = (performance.now() - t0) / 1000;
    if (other < 0.25) return { waited, quiet: true, other };
    if (waited >= maxSeconds) return { waited, quiet: false, other };
  }
}

/**
 * Unmeasured warm-up at 16 connections in 2 s slices (the JVM's JIT needs it; Lakegate gets the same):
 * at least `min` seconds, then until a slice is no longer more than 5% faster than the best slice
 * before it, at most `max` seconds.
 */
export async function warmup(server, make, min, max) {
  if (max <= 0) return { seconds: 0, last: NaN };
  const slice = Math.min(2, max);
  let spent = 0;
  let best = 0;
  let last = NaN;
  while (spent < max) {
    const r = await runCell(server, make, 16, slice, { record: 'count' });
    spent += slice;
    last = r.throughput;
    const improving = last > best * 1.05;
    best = Math.max(best, last);
    if (spent >= min && !improving) break;
  }
  return { seconds: spent, last };
}

/** Quantile (0..100) of an unsorted array of numbers. */
export function quantile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
export const median = (values) => quantile(values, 50);

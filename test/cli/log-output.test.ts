/**
 * The server's log format (issue 41): coloured human-readable lines when standard output is a terminal, JSON lines
 * otherwise or with --log-format json; secrets redacted in both. A real terminal is `script`'s pseudo-terminal.
 *
 * The server's log on standard output is written asynchronously (observability/logger.ts): a reader
 * that stops reading holds up the log, not the process writing it; past the buffer's bound lines are
 * dropped and counted, and every line that was not dropped arrives once the reader reads again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { createLogger } from '@lakegate/server';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startServer } from '../support/server-process.js';
import { freePort, tempDir } from '../support/temp.js';

const LINES = 30_000;

// A process that logs ~30 MB through the server's logger while nobody reads its standard output.
const SCRIPT = `
import { createLogger, droppedLogLines } from '@lakegate/server';
const log = createLogger('info');
const filler = 'x'.repeat(1000);
for (let i = 0; i < ${LINES}; i++) log.info({ i, filler }, 'filler');
process.stderr.write(JSON.stringify({ dropped: droppedLogLines() }) + '\\n');
`;

describe('log output', () => {
  it('keeps a process running while its standard output is not read, drops and counts what does not fit, and delivers the rest', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    const report = await new Promise<{ dropped: number }>((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (chunk: Buffer) => {
        err += chunk.toString('utf8');
        const line = err.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { dropped: number });
      });
      child.on('exit', (code) => reject(new Error(`exited (${code}) before reporting: ${err}`)));
    });
    // The whole loop ran with nobody reading: lines beyond the 16 MiB bound were dropped and counted.
    expect(report.dropped).toBeGreaterThan(0);
    expect(report.dropped).toBeLessThan(LINES);
    // Reading again: every line that was kept arrives, whole, and the process exits normally.
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    const lines = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { i: number; msg: string });
    expect(lines.length).toBe(LINES - report.dropped);
    expect(lines.every((l) => l.msg === 'filler')).toBe(true);
    // In order, none twice.
    for (let k = 1; k < lines.length; k++) expect(lines[k]!.i).toBeGreaterThan(lines[k - 1]!.i);
  }, 60_000);
});

const BIN = `${REPO_ROOT}/packages/cli/bin/lakegate.js`;
const ANSI = /\x1b\[[0-9;]*m/g;
const SECRET = 'Zq8vN2mX4pL7rT1kW9yB3cF6hJ0sD5gA';
const PRETTY_LINE = /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: /m;

/** `lakegate serve` on a pseudo-terminal (util-linux script), its output so far, and a stop. */
async function serveOnTerminal(extraArgs: string): Promise<{ url: string; output: () => string; stop: () => Promise<void> }> {
  const dir = tempDir('lakegate-tty-');
  const port = await freePort();
  const command = `exec '${process.execPath}' '${BIN}' serve --port ${port} --data-dir '${dir.dir}' --workers 1 ${extraArgs}`;
  const env: NodeJS.ProcessEnv = { ...process.env, LAKEGATE_LOG_LEVEL: 'info', LAKEGATE_AUTH: 'required', TERM: 'xterm-256color' };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  delete env.LAKEGATE_LOG_FORMAT;
  // stdin stays an open pipe: script ends its session when its input ends.
  const child: ChildProcess = spawn('script', ['-qfec', command, '/dev/null'], { env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await waitFor(
    () => /listening at (http:\/\/[^\s"\x1b]+)/.exec(out.replace(ANSI, ''))?.[1],
    () => out,
  );
  return {
    url,
    output: () => out,
    stop: async () => {
      process.kill(-child.pid!, 'SIGTERM');
      await new Promise((resolve) => (child.exitCode === null ? child.on('exit', resolve) : resolve(undefined)));
      dir.cleanup();
    },
  };
}

async function waitFor<T>(probe: () => T | undefined, output: () => string, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out; output so far:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A request whose URL carries a credential: its log line must show *** in its place. */
const requestWithSecret = (url: string) =>
  fetch(`${url}/v1/config?access_token=${SECRET}&warehouse=default`, { headers: { authorization: `Bearer ${SECRET}` } });

describe('log format', () => {
  it('is coloured human-readable lines on a terminal by default, secrets redacted', async () => {
    const server = await serveOnTerminal('');
    try {
      expect((await requestWithSecret(server.url)).status).toBe(401);
      await waitFor(() => (/request completed/.test(server.output()) ? true : undefined), server.output);
      const out = server.output();
      expect(out).toMatch(ANSI);
      const plain = out.replace(ANSI, '');
      expect(plain).toMatch(PRETTY_LINE);
      expect(plain).toMatch(/INFO: request completed GET \/v1\/config\?access_token=\*\*\*&warehouse=default 401 [\d.]+ms \{"reqId":"[^"]+"/);
      expect(plain).not.toContain('{"level"');
      expect(out).not.toContain(SECRET);
    } finally {
      await server.stop();
    }
  }, 90_000);

  it('is JSON lines on a terminal with --log-format json, and when standard output is not a terminal', async () => {
    const tty = await serveOnTerminal('--log-format json');
    try {
      expect((await requestWithSecret(tty.url)).status).toBe(401);
      await waitFor(() => (/request completed/.test(tty.output()) ? true : undefined), tty.output);
      const lines = tty
        .output()
        .split(/\r?\n/)
        .filter((l) => l.startsWith('{'));
      expect(lines.map((l) => JSON.parse(l) as { msg: string }).some((l) => l.msg === 'request completed')).toBe(true);
      expect(tty.output()).not.toMatch(PRETTY_LINE);
      expect(tty.output()).not.toContain(SECRET);
    } finally {
      await tty.stop();
    }
    const piped = await startServer();
    try {
      expect((await requestWithSecret(piped.url)).status).toBe(401);
      const out = await piped.settledOutput();
      const completed = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg: string; req?: { url: string } })
        .find((l) => l.msg === 'request completed');
      expect(completed?.req?.url).toBe('/v1/config?access_token=***&warehouse=default');
      expect(out).not.toMatch(ANSI);
      expect(out).not.toContain(SECRET);
    } finally {
      await piped.stop();
    }
  }, 120_000);

  it('redacts the same fields in pretty lines as in JSON ones', async () => {
    let written = '';
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((written += chunk.toString()), done()) });
    const log = createLogger('info', sink as never, 'pretty');
    log.info(
      {
        client_secret: SECRET,
        body: { subject_token: SECRET, 's3.secret-access-key': SECRET },
        req: { method: 'GET', url: `/v1/x?token=${SECRET}`, headers: {} },
      },
      'token request',
    );
    log.flush();
    await waitFor(
      () => (written.includes('token request') ? true : undefined),
      () => written,
      5_000,
    );
    expect(written.replace(ANSI, '')).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: token request GET \/v1\/x\?token=\*\*\* \{"client_secret":"\*\*\*","body":\{"subject_token":"\*\*\*","s3.secret-access-key":"\*\*\*"\}\}/,
    );
    expect(written).not.toContain(SECRET);
  });
});

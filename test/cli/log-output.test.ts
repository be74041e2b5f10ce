/**
 * The server's log on standard output is written asynchronously (observability/logger.ts): a reader
 * that stops reading holds up the log, not the process writing it; past the buffer's bound lines are
 * dropped and counted, and every line that was not dropped arrives once the reader reads again.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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
    const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { i: number; msg: string });
    expect(lines.length).toBe(LINES - report.dropped);
    expect(lines.every((l) => l.msg === 'filler')).toBe(true);
    // In order, none twice.
    for (let k = 1; k < lines.length; k++) expect(lines[k]!.i).toBeGreaterThan(lines[k - 1]!.i);
  }, 60_000);
});

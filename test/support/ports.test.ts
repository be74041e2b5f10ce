import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claimPort, ephemeralRange, handOutRange } from './ports.js';
import { freePort, tempDir } from './temp.js';

const dirs: Array<{ cleanup: () => void }> = [];
const scratch = () => {
  const d = tempDir('lakegate-ports-test-');
  dirs.push(d);
  return d.dir;
};
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

/** A port of 127.0.0.1 free a moment ago (the kernel's pick), for a one-port range. */
function kernelPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

/** A live process that is not this one (a lock's holder in another process). */
function otherProcess(): { pid: number; stop: () => Promise<void> } {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  return { pid: child.pid!, stop: () => new Promise((r) => (child.once('exit', () => r()), child.kill('SIGKILL'))) };
}

describe('the range ports are handed out from', () => {
  it("lies just below the kernel's own, never below 1024, and is none when there is no room", () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'range'), '32768\t60999\n');
    expect(ephemeralRange(path.join(dir, 'range'))).toEqual([32768, 60999]);
    expect(ephemeralRange(path.join(dir, 'absent'))).toEqual([49152, 65535]);
    expect(handOutRange([32768, 60999])).toEqual([20768, 32767]);
    expect(handOutRange([10000, 60999])).toEqual([1024, 9999]);
    expect(handOutRange([1500, 60999])).toBeUndefined();
  });

  it("is where freePort's ports come from: ports the kernel never picks for a listen(0) or an outgoing connection", async () => {
    const [low] = ephemeralRange();
    for (let i = 0; i < 20; i++) expect(await freePort()).toBeLessThan(low);
  });
});

describe('claims', () => {
  it('never hand one port out twice while its holder lives, in this process or another', async () => {
    const lockDir = scratch();
    const port = await kernelPort();
    const range: [number, number] = [port, port];
    expect(await claimPort({ lockDir, range })).toBe(port);
    await expect(claimPort({ lockDir, range })).rejects.toThrow(/no port left/);

    const other = otherProcess();
    const held = await kernelPort();
    writeFileSync(path.join(lockDir, String(held)), JSON.stringify({ pid: other.pid }));
    await expect(claimPort({ lockDir, range: [held, held] })).rejects.toThrow(/no port left/);
    // Its holder gone, the claim is taken over, and the lock names this process.
    await other.stop();
    expect(await claimPort({ lockDir, range: [held, held] })).toBe(held);
    expect(JSON.parse(readFileSync(path.join(lockDir, String(held)), 'utf8'))).toEqual({ pid: process.pid });
  });

  it("held for a run, outlive the process that asked until the run's directory is gone", async () => {
    const lockDir = scratch();
    const run = path.join(scratch(), 'peers');
    mkdirSync(run);
    const port = await kernelPort();
    const other = otherProcess();
    writeFileSync(path.join(lockDir, String(port)), JSON.stringify({ pid: other.pid, while: run }));
    await other.stop();
    await expect(claimPort({ lockDir, range: [port, port] })).rejects.toThrow(/no port left/);
    rmSync(run, { recursive: true });
    expect(await claimPort({ lockDir, range: [port, port] })).toBe(port);
  });

  it('skip a port something outside the scheme listens on, and a torn lock file does not hold one', async () => {
    const lockDir = scratch();
    const taken = await listenOn(await kernelPort());
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(claimPort({ lockDir, range: [port, port] })).rejects.toThrow(/no port left/);
      expect(existsSync(path.join(lockDir, String(port)))).toBe(false);
    } finally {
      await new Promise((r) => taken.close(r));
    }
    writeFileSync(path.join(lockDir, String(port)), '{"pi');
    expect(await claimPort({ lockDir, range: [port, port] })).toBe(port);
  });

  it('of many asking at once over a small range are all different', async () => {
    const lockDir = scratch();
    const base = await kernelPort();
    const range: [number, number] = [base, Math.min(base + 40, 65535)];
    const got = await Promise.all(Array.from({ length: 10 }, () => claimPort({ lockDir, range }).catch(() => -1)));
    const handed = got.filter((p) => p > 0);
    expect(handed.length).toBeGreaterThan(0);
    expect(new Set(handed).size).toBe(handed.length);
  });
});

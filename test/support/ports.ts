/**
 * Ports for peers that must be told theirs up front (PostgreSQL, Kafka's listeners, Keycloak, Trino, the cut proxies
 * of the shared broker), handed out so that nothing else on the machine takes one between its choice and its use.
 *
 * Why not "listen on port 0, close, hand out the number": the kernel hands out that range (ip_local_port_range,
 * 32768–60999 on Linux) to every listen(0) and to every outgoing connection's local end, of every process. A port
 * chosen that way and listened on later (seconds later for a peer's start; twenty minutes later for the shared Kafka
 * broker's cuttable listener, which only a file's proxy listens on, and again after each cut) can meanwhile become
 * some other process's, and the peer then fails with EADDRINUSE (a CI run: "the cut proxy cannot listen on
 * 127.0.0.1:43403"). So the ports handed out here lie just below that range, where the kernel never hands one out on
 * its own, and each is claimed by a lock file (`/tmp/lakegate-ports/<port>`, created exclusively) naming its
 * holder: the process that asked (free again once it has exited) or, for a peer shared by a whole test run, the run's
 * peer directory (free again once the run's teardown has removed it). Two processes of a run, or two runs on one
 * machine, never get the same port; a lock whose holder is gone is taken over. A port still bound by something outside
 * this scheme is skipped (it is bound once, briefly, before it is handed out).
 *
 * Written by hand: the npm packages that pick ports (get-port and the like) all probe the kernel's range as above, and
 * none keeps a claim across processes.
 */
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The kernel's own range for ports it picks: [low, high]. */
export function ephemeralRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): [number, number] {
  try {
    const [low, high] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low! > 0 && high! >= low!) return [low!, high!];
  } catch {
    // not Linux: the IANA range, which macOS and Windows use
  }
  return [49152, 65535];
}

/** The ports handed out: the 12,000 below the kernel's range (never below 1024), or none when the range starts too low. */
export function handOutRange(ephemeral: [number, number] = ephemeralRange()): [number, number] | undefined {
  const high = ephemeral[0] - 1;
  const low = Math.max(1024, high - 11_999);
  return high - low >= 999 ? [low, high] : undefined;
}

interface Holder {
  pid: number;
  /** A directory whose existence keeps the claim (a run's peer directory), for a peer that outlives the process. */
  while?: string;
}

function alive(holder: Holder): boolean {
  if (holder.while !== undefined && existsSync(holder.while)) return true;
  // (kill(0) and kill(-1) would signal a process group, or every process, and succeed.)
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): Holder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return typeof parsed.pid === 'number' ? parsed : { pid: -1 };
  } catch (e) {
    // Absent (released meanwhile) is undefined; a torn or foreign file has no live holder.
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : { pid: -1 };
  }
}

function create(file: string, holder: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Takes over a lock whose holder is gone. Renaming it away is atomic, so of two processes that found it stale, one
 * moves it; if what it moved is no longer the stale lock (the other took the port meanwhile and wrote a live one),
 * it puts that one back (link fails if a third took the name meanwhile; then the port is skipped anyway).
 */
function takeOver(file: string, holder: Holder): boolean {
  const moved = `${file}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    renameSync(file, moved);
  } catch {
    return false;
  }
  const was = readHolder(moved);
  if (was && alive(was)) {
    try {
      linkSync(moved, file);
    } catch {
      // someone holds the name again: the port is theirs either way
    }
    unlinkSync(moved);
    return false;
  }
  unlinkSync(moved);
  return create(file, holder);
}

function claim(dir: string, port: number, holder: Holder): boolean {
  const file = path.join(dir, String(port));
  if (create(file, holder)) return true;
  const current = readHolder(file);
  if (current === undefined) return create(file, holder);
  return !alive(current) && takeOver(file, holder);
}

function release(dir: string, port: number): void {
  try {
    unlinkSync(path.join(dir, String(port)));
  } catch {
    // already gone
  }
}

/** Whether 127.0.0.1:port can be listened on right now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** The kernel's pick (the old way), where there is no range below its own to hand out from. */
function kernelPick(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * One directory for the whole machine, not os.tmpdir(): two test processes run with different TMPDIRs must still see
 * each other's claims.
 */
const LOCKS = path.join(process.platform === 'win32' ? os.tmpdir() : '/tmp', 'lakegate-ports');

const mine: number[] = [];
let exitHook = false;

export interface ClaimOptions {
  /** Keep the claim while this directory exists (a peer shared by the run), not only while this process lives. */
  while?: string;
  /** Where the locks live (tests of this module). */
  lockDir?: string;
  /** The range to hand out from (tests of this module). */
  range?: [number, number];
}

/** A port on 127.0.0.1 that nothing listens on and no other process or run of tests was handed (see the header). */
export async function claimPort(options: ClaimOptions = {}): Promise<number> {
  const range = options.range ?? handOutRange();
  if (!range) return kernelPick();
  const dir = options.lockDir ?? LOCKS;
  mkdirSync(dir, { recursive: true });
  const holder: Holder = { pid: process.pid, ...(options.while ? { while: options.while } : {}) };
  const size = range[1] - range[0] + 1;
  // A random start, so that processes asking at once do not all contend for the range's first free ports.
  const start = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = range[0] + ((start + i) % size);
    if (!claim(dir, port, holder)) continue;
    if (await bindable(port)) {
      if (!options.while && options.lockDir === undefined) remember(dir, port);
      return port;
    }
    release(dir, port);
  }
  throw new Error(`no port left to hand out in ${range[0]}–${range[1]} (locks in ${dir})`);
}

/**
 * Releases this process's own claims when it exits, so the lock directory mostly holds live ones (a process that ends
 * without an 'exit' event, a worker thread or a SIGKILL, leaves stale ones, which the next claim of the port takes over).
 */
function remember(dir: string, port: number): void {
  mine.push(port);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const p of mine) release(dir, p);
  });
}

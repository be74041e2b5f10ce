/**
 * Background threads at a lower scheduling priority than the thread that answers requests. On Linux a thread is a
 * task of its own: setpriority(PRIO_PROCESS, TID) and sched_setscheduler(TID) change that task alone, so a worker
 * thread can lower its own priority without privileges and without touching the request thread. When both want the
 * same core, the kernel runs the request thread first, and the background work fills the time it leaves.
 *
 * Two levels, lowest first:
 * - `idle`: the SCHED_IDLE policy. The kernel gives such a task the smallest weight there is and, unlike any
 *   niceness, preempts it at once when a normal task wakes up, so a request that arrives during a round of
 *   background work does not wait for the rest of the round's time slice (docs/benchmarks-event-sinks.md measured
 *   the difference). Set through `chrt` (util-linux): Node has no binding for sched_setscheduler, and a native addon
 *   for one system call would be a build step on every platform for one line.
 * - `normal`: SCHED_OTHER at a niceness (a smaller weight than the request thread's, no wake-up preemption).
 *
 * Written by hand: Node exposes no OS thread id, and os.setPriority takes any task id on Linux. The calling thread's
 * id is read from /proc/thread-self (a link to /proc/PID/task/TID, resolved for the thread that reads it).
 */
import { execFile } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

export type ThreadPolicy = 'idle' | 'normal';

/** The calling thread's task id, or undefined where threads are not tasks of /proc (not Linux). */
export function ownThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sets the calling thread's niceness to `niceness` (0-19) and returns its task id, or undefined where threads are not
 * tasks of /proc (not Linux) or the system refuses (the thread then keeps the process's priority).
 */
export function lowerOwnThreadPriority(niceness: number): number | undefined {
  const tid = ownThreadId();
  if (tid === undefined) return undefined;
  try {
    setPriority(tid, niceness);
    return tid;
  } catch {
    return undefined;
  }
}

/**
 * Puts task `tid` under `policy` (`normal`: SCHED_OTHER at `niceness`). Resolves false when the system has no `chrt`
 * or refuses; the task then keeps the policy it had.
 */
export function setThreadPolicy(tid: number, policy: ThreadPolicy, niceness: number): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('chrt', [policy === 'idle' ? '--idle' : '--other', '--pid', '0', String(tid)], { timeout: 5000, windowsHide: true }, (err) => {
      if (err) return resolve(false);
      if (policy === 'normal') {
        try {
          setPriority(tid, niceness);
        } catch {
          // The policy changed; the niceness it keeps is the one set before.
        }
      }
      resolve(true);
    });
  });
}

export interface LagGovernorOptions {
  /** Changes the thread's policy; false when it could not. */
  set(policy: ThreadPolicy): Promise<boolean>;
  /** At or above this lag (seconds) the thread goes back to `normal`, so a busy CPU cannot starve it for long. */
  raiseAtSeconds: number;
  /** Below this lag it goes back to `idle`. */
  lowerBelowSeconds: number;
  /** Told of each change that took effect. */
  changed?(policy: ThreadPolicy, lagSeconds: number): void;
}

/**
 * Keeps background work at `idle` while it keeps up, and at `normal` while it is behind. A SCHED_IDLE task gets almost
 * no CPU while the request thread keeps a core busy, so on a saturated machine its lag would only grow; once the lag
 * reaches `raiseAtSeconds` the work competes again (still below the request thread), and it returns to `idle` when
 * it has caught up. Between the two bounds nothing changes, so a lag near one bound does not flap.
 */
export class LagGovernor {
  private policy: ThreadPolicy | undefined;
  private pending: Promise<void> | undefined;
  // A plain field, not a parameter property: this module is also loaded with type stripping alone (its test's worker).
  private readonly o: LagGovernorOptions;

  constructor(options: LagGovernorOptions) {
    this.o = options;
  }

  /** The policy last set (undefined until the first change took effect). */
  get current(): ThreadPolicy | undefined {
    return this.policy;
  }

  /** Starts at `idle`; resolves with whether the system took it. */
  async start(): Promise<boolean> {
    return this.apply('idle', 0);
  }

  /** One lag observation (seconds from an event's commit to its delivery). */
  observe(lagSeconds: number): void {
    if (this.pending || this.policy === undefined) return;
    const want: ThreadPolicy | undefined =
      this.policy === 'idle' && lagSeconds >= this.o.raiseAtSeconds
        ? 'normal'
        : this.policy === 'normal' && lagSeconds < this.o.lowerBelowSeconds
          ? 'idle'
          : undefined;
    if (!want) return;
    this.pending = this.apply(want, lagSeconds).then(
      () => undefined,
      () => undefined,
    );
    void this.pending.finally(() => (this.pending = undefined));
  }

  private async apply(policy: ThreadPolicy, lagSeconds: number): Promise<boolean> {
    const ok = await this.o.set(policy);
    if (ok) {
      this.policy = policy;
      this.o.changed?.(policy, lagSeconds);
    }
    return ok;
  }
}

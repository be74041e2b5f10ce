/**
 * Background threads at a lower scheduling priority than the thread that answers requests. On Linux a thread is a
 * task of its own, and setpriority(PRIO_PROCESS, TID) changes that task alone, so a worker thread can raise its own
 * niceness (lower its priority) without privileges and without touching the request thread: when both want the same
 * core, the kernel runs the request thread first, and the background work fills the time it leaves.
 *
 * Written by hand: Node exposes no OS thread id, and os.setPriority takes any task id on Linux. The calling thread's
 * id is read from /proc/thread-self (a link to /proc/PID/task/TID, resolved for the thread that reads it).
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Sets the calling thread's niceness to `niceness` (0-19) and returns its task id, or undefined where threads are not
 * tasks of /proc (not Linux) or the system refuses (the thread then keeps the process's priority).
 */
export function lowerOwnThreadPriority(niceness: number): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    if (!Number.isSafeInteger(tid) || tid <= 0) return undefined;
    setPriority(tid, niceness);
    return tid;
  } catch {
    return undefined;
  }
}

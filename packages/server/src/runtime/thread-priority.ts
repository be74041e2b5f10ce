/**
 * Background threads at a lower scheduling priority than the thread that answers requests. On Linux a thread is a
 * task of its own (/proc/self/task/TID, named by its `comm`), and setpriority(PRIO_PROCESS, TID) changes that task
 * alone, so a worker thread's niceness can be raised (its priority lowered) without privileges and without touching
 * the request thread: when both want the same core, the kernel runs the request thread first, and the background
 * work fills the time it leaves. Node names a worker's thread after its `name` (the kernel keeps 15 characters).
 *
 * Written by hand: Node exposes no thread id of a Worker, and os.setPriority takes any task id on Linux.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The kernel's length of a task name (TASK_COMM_LEN 16, with its NUL). */
const COMM_LENGTH = 15;

/**
 * Sets the niceness of this process's threads named `name` (as given to `new Worker`) to `niceness` (0-19), returning
 * how many were changed: 0 where threads are not tasks of /proc (not Linux) or none has that name yet.
 */
export function lowerThreadPriority(name: string, niceness: number): number {
  const comm = name.slice(0, COMM_LENGTH);
  let changed = 0;
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return 0;
  }
  for (const tid of tasks) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== comm) continue;
      setPriority(Number(tid), niceness);
      changed++;
    } catch {
      // The thread ended meanwhile, or the system refuses: it keeps the process's priority.
    }
  }
  return changed;
}

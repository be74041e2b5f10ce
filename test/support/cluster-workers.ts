/**
 * The worker processes of a `lakegate serve --workers N` primary, told apart from its other children. The primary
 * also starts short-lived helpers (`chrt`, which lowers a background thread's priority: packages/server/src/runtime/
 * thread-priority.ts), so "every child of the primary" is not "its workers": a test that counted children saw 3 for
 * 2 workers when a `chrt` was running. A worker is a child that node:cluster forked: its environment carries
 * NODE_UNIQUE_ID, the worker id cluster.fork() gives it, which neither the primary nor a helper it spawns has (a
 * helper inherits the primary's environment, and a child not yet past exec still shows the primary's).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The process ids of `primary`'s cluster workers (Linux: read from /proc), in ascending order. */
export function clusterWorkerPids(primary: number): number[] {
  const workers: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isSafeInteger(pid) || pid <= 0) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent; the command name (field 2) may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== primary) continue;
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (environ.some((v) => v.startsWith('NODE_UNIQUE_ID='))) workers.push(pid);
    } catch {
      // Gone between the listing and the read: not a worker any more.
    }
  }
  return workers.sort((a, b) => a - b);
}

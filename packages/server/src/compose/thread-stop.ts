/**
 * How the server's own threads (the event delivery thread, the audit thread) are stopped at shutdown: sent their stop
 * message, so they finish what they hold and exit by themselves, and terminated once the shutdown grace has passed
 * without their exit (`late` is told first, to log it).
 */
import type { Worker } from 'node:worker_threads';

export async function stopThread(worker: Worker, stopMessage: unknown, graceMs: number, late: () => void): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage(stopMessage);
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), graceMs);
  });
  const timedOut = await Promise.race([exited.then(() => false), graceOver]);
  clearTimeout(timer);
  if (timedOut) {
    late();
    await worker.terminate();
  }
}

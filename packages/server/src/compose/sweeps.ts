/**
 * The housekeeping sweep every process runs (config `sweepIntervalMs`, one minute by default): named tasks, started
 * together each round. A round starts only when the previous one has settled, so a short interval or a slow store
 * never piles rounds up (two concurrent rounds would, for example, purge the same dropped table twice), and stopping
 * waits (boundedly) for the round in progress, so the stores are not closed under it. A task's failure is logged and leaves the
 * others and the next round alone.
 */
export interface SweepTask {
  name: string;
  run(): Promise<unknown>;
}

export interface PeriodicSweep {
  /** Stops the rounds and waits for the one in progress, at most `maxWaitMs` (a long maintenance job is left to finish or die with the process). */
  stop(maxWaitMs: number): Promise<void>;
}

export function startSweeps(tasks: readonly SweepTask[], intervalMs: number, warn: (err: unknown, task: string) => void): PeriodicSweep {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = Promise.all(
      tasks.map((t) =>
        Promise.resolve()
          .then(() => t.run())
          .catch((err: unknown) => warn(err, t.name)),
      ),
    ).finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    async stop(maxWaitMs) {
      clearInterval(timer);
      if (!running) return;
      let bound: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise<void>((resolve) => (bound = setTimeout(resolve, maxWaitMs).unref()))]);
      clearTimeout(bound);
    },
  };
}

/**
 * `lakegate serve --workers N`: the primary process. It forks N workers (each
 * a whole Lakegate on the same database and port; Node's cluster module hands
 * them connections round-robin), relays what they tell each other, replaces a
 * worker that dies, and stops them all on SIGTERM/SIGINT. It serves no
 * request itself, and exits when it cannot keep workers alive.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { isClusterMessage } from './messages.js';
import { Relay } from './relay.js';

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** How long a worker may take to stop before it is killed. */
  graceMs: number;
  /** A worker exiting with this code cannot serve at all (e.g. the port is taken): stop rather than replace it. */
  fatalExitCode: number;
  /** Once every worker accepts connections (first start only). */
  onListening(url: string): void;
}

/** A worker that dies this soon after it was started, this many times in a row, means the server cannot run. */
const EARLY_DEATH_MS = 10_000;
const EARLY_DEATHS = 3;

const aliveWorkers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());

export function runPrimary(options: PrimaryOptions): void {
  const { logger } = options;
  const relay = new Relay();
  const started = new Map<number, number>();
  let stopping = false;
  let exitCode = 0;
  let earlyDeaths = 0;
  let announced = false;
  const listening = new Set<number>();

  const fork = (): Worker => {
    const worker = cluster.fork();
    started.set(worker.id, Date.now());
    relay.add({ id: worker.id, send: (m) => worker.isConnected() && worker.send(m) });
    return worker;
  };

  cluster.on('message', (worker, message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.lakegate === 'listening') {
      listening.add(worker.id);
      if (!announced && listening.size >= options.workers) {
        announced = true;
        options.onListening(message.url);
      }
      return;
    }
    relay.receive({ id: worker.id, send: (m) => worker.isConnected() && worker.send(m) }, message);
  });

  cluster.on('exit', (worker, code, signal) => {
    relay.remove(worker.id);
    listening.delete(worker.id);
    const lived = Date.now() - (started.get(worker.id) ?? 0);
    started.delete(worker.id);
    if (stopping) {
      if (aliveWorkers().length === 0) process.exit(exitCode);
      return;
    }
    if (code === options.fatalExitCode) {
      logger.fatal({ worker: worker.process.pid }, 'a worker cannot serve; stopping the server');
      stop(1);
      return;
    }
    earlyDeaths = lived < EARLY_DEATH_MS ? earlyDeaths + 1 : 0;
    logger.error({ worker: worker.process.pid, code, signal, livedMs: lived }, 'worker exited; starting another');
    if (earlyDeaths >= EARLY_DEATHS) {
      logger.fatal({ deaths: earlyDeaths }, 'workers keep dying right after they start; stopping the server');
      stop(1);
      return;
    }
    fork();
  });

  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const alive = aliveWorkers();
    if (alive.length === 0) process.exit(exitCode);
    for (const w of alive) w.process.kill('SIGTERM');
    const force = setTimeout(() => {
      for (const w of alive) w.process.kill('SIGKILL');
      process.exit(exitCode || 1);
    }, options.graceMs + 2_000);
    force.unref();
  };
  process.on('SIGTERM', () => {
    logger.info({ signal: 'SIGTERM' }, 'shutting down the workers');
    stop(0);
  });
  process.on('SIGINT', () => {
    logger.info({ signal: 'SIGINT' }, 'shutting down the workers');
    stop(0);
  });

  for (let i = 0; i < options.workers; i++) fork();
}

/**
 * The event sinks' host resolver (catalog/outbox/sink-destinations.ts): every address a name resolves to, through the
 * system resolver as the sinks' own connections would (node:dns lookup, so /etc/hosts counts), within a bound. A name
 * that does not resolve, or not in time, answers [] (the sink will fail to deliver, and says so in its state).
 */
import { lookup } from 'node:dns/promises';
import type { HostResolver } from '../catalog/outbox/sink-destinations.js';

export function systemHostResolver(timeoutMs = 2_000): HostResolver {
  return async (host) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<[]>((resolve) => {
      timer = setTimeout(() => resolve([]), timeoutMs);
    });
    try {
      const found = lookup(host, { all: true, verbatim: true }).then(
        (answers) => answers.map((a) => a.address),
        () => [] as string[],
      );
      return await Promise.race([found, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

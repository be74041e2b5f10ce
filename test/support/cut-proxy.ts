/**
 * A TCP proxy that a test can cut, for outages of a peer shared with other test files (one it may not stop): it
 * listens on a given loopback port and pipes each connection to a target. cut() destroys every connection it carries
 * and stops listening, so a client sees what a stopped peer gives it (open connections closed, new ones refused);
 * restore() listens on the same port again. Used for the shared Kafka broker's cuttable listeners (kafka.ts), whose
 * advertised port is the proxy's: a client reconnects through the proxy, never around it.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface CutProxy {
  /** `127.0.0.1:PORT`, the address it listens on. */
  readonly address: string;
  /** Connections it accepted so far. */
  readonly accepted: number;
  /** Whether it is cut (not listening). */
  readonly down: boolean;
  /** Closes every connection it carries and stops listening (a new connection is refused). */
  cut(): Promise<void>;
  /** Listens again, on the same port. */
  restore(): Promise<void>;
  /** Cuts it for good. */
  close(): Promise<void>;
}

function hostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}

/** Starts listening on `listen` (`host:port`), forwarding to `target` (`host:port`). */
export async function startCutProxy(listen: string, target: string): Promise<CutProxy> {
  const to = hostPort(target);
  const on = hostPort(listen);
  const sockets = new Set<Socket>();
  let accepted = 0;
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  };
  const server: Server = createServer((client) => {
    accepted += 1;
    const upstream = connect(to);
    track(client);
    track(upstream);
    // Either side closing closes the other: a connection through the proxy ends as a direct one would.
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const listenOnce = () =>
    new Promise<void>((resolve, reject) => {
      const failed = (e: Error) => reject(new Error(`the cut proxy cannot listen on ${listen} (another process took the port?): ${e.message}`));
      server.once('error', failed);
      server.listen(on.port, on.host, () => {
        server.off('error', failed);
        resolve();
      });
    });
  let down = false;
  const cut = async () => {
    if (down) return;
    down = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await listenOnce();
  return {
    address: listen,
    get accepted() {
      return accepted;
    },
    get down() {
      return down;
    },
    cut,
    async restore() {
      if (!down) return;
      await listenOnce();
      down = false;
    },
    close: cut,
  };
}

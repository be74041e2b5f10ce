/**
 * A switchable HTTP proxy in front of a remote catalog, for federation's failure tests: it forwards (up), drops every
 * connection (down), never answers (slow), answers a table load with metadata that is not valid Iceberg (garbage), or
 * moves a loaded table's metadata location outside every storage root (elsewhere), or refuses every credential (refuse),
 * or answers a table load with a page that is not JSON (html: what a misrouted proxy or a login page answers; Lakegate's
 * 502 names the path, so each table's loads are an entry of their own in the failure history).
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'up' | 'down' | 'slow' | 'garbage' | 'elsewhere' | 'refuse' | 'html';

export interface RemoteProxy {
  url: string;
  mode: ProxyMode;
  /** Requests forwarded so far, by method and path. */
  seen: string[];
  close(): Promise<void>;
}

const isTableLoad = (method: string, url: string) => method === 'GET' && /\/namespaces\/[^/]+\/tables\/[^/?]+(\?|$)/.test(url);

export async function startRemoteProxy(target: string): Promise<RemoteProxy> {
  const to = new URL(target);
  const hung: Array<() => void> = [];
  const proxy: RemoteProxy = { url: '', mode: 'up', seen: [], close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    if (proxy.mode === 'down') return void req.socket.destroy();
    if (proxy.mode === 'slow') return void hung.push(() => res.destroy());
    if (proxy.mode === 'refuse') {
      res.writeHead(401, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ error: { message: 'Not authorized', type: 'NotAuthorizedException', code: 401 } }));
    }
    proxy.seen.push(`${method} ${url.split('?')[0]}`);
    if (proxy.mode === 'html' && isTableLoad(method, url)) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html><body>Sign in to continue</body></html>');
    }
    const rewrite = (proxy.mode === 'garbage' || proxy.mode === 'elsewhere') && isTableLoad(method, url);
    const headers = { ...req.headers, host: to.host, 'accept-encoding': 'identity' };
    // A rewritten answer is a new one: never "not modified".
    if (rewrite) delete headers['if-none-match'];
    const upstream = request({ host: to.hostname, port: to.port, method, path: url, headers }, (up) => {
      if (!rewrite) {
        res.writeHead(up.statusCode ?? 502, up.headers);
        return void up.pipe(res);
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, any>;
        // A new metadata file that is not valid Iceberg (an unchanged location is the file already checked).
        if (proxy.mode === 'garbage')
          Object.assign(body, { 'metadata-location': `${body['metadata-location']}.new`, metadata: { 'format-version': 9, 'table-uuid': 'not-a-uuid' } });
        else body['metadata-location'] = 's3://somebody-elses-bucket/t/metadata/00001.metadata.json';
        const text = JSON.stringify(body);
        res.writeHead(up.statusCode ?? 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = async () => {
    for (const h of hung.splice(0)) h();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}

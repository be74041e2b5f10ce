// The OPA endpoint a test Trino's access control is configured with (test/support/trino.ts): Trino's OPA URIs are
// static config of a start, while each test file has a Lakegate server of its own, so a shared Trino asks this small
// forwarder, and the file that uses Trino says where its decisions go (DIR/opa-target, JSON { "url", "query" }):
// POST /<name> goes to <url>/<name><query> (name: allow, batch, row-filters, column-mask, batch-column-masks), body and
// answer unchanged. With no target (a file that tests Trino without access control, or between files) it answers
// what Trino's default access control (allow-all) would allow: everything allowed, no row filter, no column mask.
// That is an emulation of allow-all through the OPA plugin, not Trino's own allow-all (the OPA plugin still refuses
// permission management, GRANT/REVOKE and roles, which no such file uses).
//
// Usage: node opa-forwarder.mjs DIR   listens on a free 127.0.0.1 port, written to DIR/opa-forwarder.port (pid:
// DIR/opa-forwarder.pid); exits when DIR goes away or the Trino of DIR (DIR/trino.pid) has stopped.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node opa-forwarder.mjs DIR');
  process.exit(2);
}
const NAMES = new Set(['allow', 'batch', 'row-filters', 'column-mask', 'batch-column-masks']);

function target() {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'opa-target'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** What allow-all answers: every resource allowed (FilterColumns: every column of its one table), nothing filtered or masked. */
function allowAll(name, request) {
  const action = request?.input?.action ?? {};
  const resources = action.filterResources ?? [];
  switch (name) {
    case 'allow':
      return { result: true };
    case 'batch':
      if (action.operation === 'FilterColumns') return { result: (resources[0]?.table?.columns ?? []).map((_c, i) => i) };
      return { result: resources.map((_r, i) => i) };
    case 'row-filters':
    case 'batch-column-masks':
      return { result: [] };
    default:
      return { result: null };
  }
}

const server = http.createServer(async (req, res) => {
  const name = (req.url ?? '').split('?')[0].replace(/^\//, '');
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = Buffer.concat(chunks);
  try {
    if (req.method !== 'POST' || !NAMES.has(name)) {
      res.writeHead(404).end();
      return;
    }
    const to = target();
    if (!to) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(allowAll(name, JSON.parse(body.toString('utf8')))));
      return;
    }
    const answer = await fetch(`${to.url}/${name}${to.query ?? ''}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
  } catch (error) {
    // Trino's OPA plugin treats any failure as a denial.
    res.writeHead(502, { 'content-type': 'text/plain' }).end(`opa-forwarder: ${error instanceof Error ? error.message : String(error)}`);
  }
});

server.listen(0, '127.0.0.1', () => {
  const write = (file, text) => {
    writeFileSync(path.join(dir, `${file}.tmp`), text);
    renameSync(path.join(dir, `${file}.tmp`), path.join(dir, file));
  };
  write('opa-forwarder.pid', `${process.pid}\n`);
  write('opa-forwarder.port', `${server.address().port}\n`);
});

// Gone with its Trino: the directory removed, or the server it was started for no longer alive.
setInterval(() => {
  if (!existsSync(dir)) process.exit(0);
  let pid;
  try {
    pid = Number(readFileSync(path.join(dir, 'trino.pid'), 'utf8').trim());
  } catch {
    return; // not started yet
  }
  try {
    process.kill(pid, 0);
  } catch {
    process.exit(0);
  }
}, 2000).unref();

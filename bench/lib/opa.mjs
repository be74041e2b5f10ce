// A stock Open Policy Agent server for bench/trino-opa.mjs (scripts/peers/opa.sh: built from the Go module proxy,
// cached under $LAKEGATE_CACHE), loading a Rego policy and a data document.
import fs from 'node:fs';
import path from 'node:path';
import { freePort, peer, tempDir } from './proc.mjs';

/** Starts OPA with `rego` (a file) and `data` (written as data.json); its pid is the process whose CPU counts. */
export async function startOpa(rego, data) {
  const dir = tempDir('lakegate-bench-opa-');
  const files = path.join(dir, 'files');
  fs.mkdirSync(files);
  fs.copyFileSync(rego, path.join(files, path.basename(rego)));
  fs.writeFileSync(path.join(files, 'data.json'), JSON.stringify(data));
  const port = await freePort();
  const url = peer('opa.sh', ['start', path.join(dir, 'server'), String(port), path.join(files, path.basename(rego)), path.join(files, 'data.json')]);
  const pid = Number(fs.readFileSync(path.join(dir, 'server', 'opa.pid'), 'utf8').trim());
  return { name: 'opa', url, port, headers: {}, pids: () => [pid], stop: () => peer('opa.sh', ['stop', path.join(dir, 'server')]) };
}

// prepack of @lakegate/server: copies the web console's build (packages/console/dist, built first when missing)
// into this package's console/, which `npm pack` ships, because the private @lakegate/console package is never
// published and the server serves /ui from it (src/compose/console.ts: defaultConsoleDir).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../console/dist', import.meta.url));
const target = fileURLToPath(new URL('../console', import.meta.url));
if (!existsSync(`${source}/index.html`)) {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../console/scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
}
rmSync(target, { recursive: true, force: true });
cpSync(source, target, { recursive: true });
process.stderr.write(`bundled the web console (${source}) into ${target}\n`);

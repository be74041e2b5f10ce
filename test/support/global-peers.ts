/**
 * Global setup of the interop project: a directory where shared peers record themselves
 * (test/support/shared-peers.ts), and at the end of the run every recorded peer is stopped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-peers-'));
  project.provide('peersDir', dir);
  return () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const record = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { stop: { script: string; args: string[] } };
      try {
        execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'peers', record.stop.script), ...record.stop.args], { stdio: 'ignore', timeout: 60_000 });
      } catch {
        // Best effort: a peer that is already gone is fine.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}

/**
 * The alerting rules Lakegate ships (deploy/prometheus-alerts.yml) load in Prometheus: every expression parses as
 * PromQL, every `for` is a Prometheus duration, every label and annotation template parses. Checked with
 * Prometheus's own rule-file parser (peers/promcheck, built from Prometheus's Go modules by
 * scripts/peers/promcheck.sh: what `promtool check rules` runs), so a typo in an expression fails the build instead
 * of a Prometheus reload. test/http/alert-rules.test.ts checks the same file against a live server's /metrics.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerScript } from '../support/peers.js';
import { runAsync } from '../support/temp.js';

const RULES = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'prometheus-alerts.yml');

let promcheck: string;
let dir: string;

beforeAll(async () => {
  const built = await runAsync('bash', [peerScript('promcheck.sh'), 'bin'], { timeoutMs: 15 * 60_000 });
  if (built.status !== 0) throw new Error(`promcheck.sh bin exited ${built.status}: ${built.stderr}`);
  promcheck = built.stdout.trim().split('\n').at(-1)!.trim();
  dir = mkdtempSync(path.join(tmpdir(), 'lakegate-promcheck-'));
}, 16 * 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function check(file: string) {
  const r = spawnSync(promcheck, [file], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The shipped file with one edit, written beside the others. */
function edited(name: string, from: string, to: string): string {
  const text = readFileSync(RULES, 'utf8');
  expect(text).toContain(from);
  const file = path.join(dir, name);
  writeFileSync(file, text.replace(from, to));
  return file;
}

describe('deploy/prometheus-alerts.yml in Prometheus', () => {
  it('loads: every rule parses', () => {
    const r = check(RULES);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: unknown[] }> }).groups;
    const rules = groups.reduce((n, g) => n + g.rules.length, 0);
    expect(rules).toBeGreaterThan(0);
    expect(r.stdout).toBe(`${RULES}: ${groups.length} groups, ${rules} rules\n`);
  });

  // The checker is only worth something if it refuses what Prometheus refuses.
  it('refuses an expression, a template and a duration Prometheus would not load', () => {
    const expr = check(edited('expr.yml', 'sum by (method, route)', 'sum bye (method, route)'));
    expect(expr.status).toBe(1);
    expect(expr.stderr).toMatch(/LakegateInternalErrors.*could not parse expression/);

    const template = check(edited('template.yml', '{{ $labels.method }}', '{{ $labels.method }'));
    expect(template.status).toBe(1);
    expect(template.stderr).toMatch(/LakegateInternalErrors.*annotation "summary"/);

    const duration = check(edited('for.yml', 'for: 10m', 'for: 10 minutes'));
    expect(duration.status).toBe(1);
    expect(duration.stderr).toMatch(/duration "10 minutes"/);
  });
});

/**
 * The Node.js lines Lakegate supports: the active and maintenance LTS lines (24 and 22, from 22.12, the first
 * with require(esm) on by default). On an older Node `lakegate serve` starts, with one warning on stderr, rather
 * than refusing: a team upgrading still gets a running catalog, and is told why it should not stay there (several
 * dependencies declare node >= 22; Node 20 left maintenance on 2026-04-30). README: "Supported Node versions".
 */
export const SUPPORTED_NODE = '^22.12 || >=24';

/** The warning for a Node version outside SUPPORTED_NODE (`process.version`, e.g. v20.20.2), or undefined. */
export function unsupportedNodeWarning(version: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)\./.exec(version);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major >= 24 || (major === 22 && minor >= 12) || major === 23) return undefined;
  return `lakegate: warning: Node ${version} is not supported (supported: Node 22.12+ and 24, the LTS lines; see the README, "Supported Node versions"). Starting anyway.\n`;
}

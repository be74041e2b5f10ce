/**
 * The Node.js lines Lakegate supports, exactly the ones CI (`.ci/run`) proves: 26 (active LTS) and 24 and 22
 * (maintenance LTS; 22 from 22.12, the first with require(esm) on by default). Every package.json's `engines`
 * says the same (a test compares them). On any other Node `lakegate serve` starts, with one warning on stderr,
 * rather than refusing: a team upgrading still gets a running catalog, and is told why it should not stay there
 * (an older line is past its end of life; an odd-numbered or newer line is untested). README: "Supported Node
 * versions".
 */
export const SUPPORTED_NODE = '^22.12 || ^24 || ^26';

/** The warning for a Node version outside SUPPORTED_NODE (`process.version`, e.g. v20.20.2), or undefined. */
export function unsupportedNodeWarning(version: string): string | undefined {
  const m = /^v?(\d+)\.(\d+)\./.exec(version);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major === 26 || major === 24 || (major === 22 && minor >= 12)) return undefined;
  return `lakegate: warning: Node ${version} is not supported (supported: Node 26, 24 and 22.12+, the LTS lines; see the README, "Supported Node versions"). Starting anyway.\n`;
}

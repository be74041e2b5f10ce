import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUPPORTED_NODE, unsupportedNodeWarning } from './node-version.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..', '..');

describe('unsupportedNodeWarning', () => {
  it('is silent on the LTS lines CI proves and warns once, naming them, on any other', () => {
    for (const v of ['v26.0.0', 'v26.12.1', 'v24.0.0', 'v24.21.0', 'v22.12.0', 'v22.23.3']) expect(unsupportedNodeWarning(v), v).toBeUndefined();
    for (const v of ['v20.20.2', 'v22.11.0', 'v18.20.0', 'v23.11.0', 'v25.9.0', 'v27.0.0']) {
      expect(unsupportedNodeWarning(v), v).toMatch(
        /^lakegate: warning: Node v\d+\.\d+\.\d+ is not supported \(supported: Node 26, 24 and 22\.12\+.*Starting anyway\.\n$/,
      );
    }
  });
});

describe('engines', () => {
  it('every package.json states the supported lines, the same as the warning', () => {
    const manifests = ['package.json', ...readdirSync(path.join(root, 'packages')).map((p) => path.join('packages', p, 'package.json'))];
    for (const file of manifests) {
      const manifest = JSON.parse(readFileSync(path.join(root, file), 'utf8')) as { private?: boolean; engines?: { node?: string } };
      // The web console is bundled into the server, never installed on its own.
      if (file.includes('console')) continue;
      expect(manifest.engines?.node, file).toBe(SUPPORTED_NODE);
    }
  });
});

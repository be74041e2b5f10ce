/**
 * The console is built into dist/ (served by `lakegate serve` at /ui) from the SDK's TypeScript sources through its
 * browser entry, so the bundle holds no Node-only code and the build needs nothing but this repository (offline).
 */
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const packages = path.resolve(import.meta.dirname, '..');

export default defineConfig({
  base: '/ui/',
  plugins: [react()],
  resolve: {
    alias: {
      '@lakegate/client/browser': path.join(packages, 'client', 'src', 'browser.ts'),
      // Before '@lakegate/protocol', which as a string alias would also match its subpath. The constants entry has no
      // TypeBox: the console takes values from it alone (only types from the package's main entry).
      '@lakegate/protocol/constants': path.join(packages, 'protocol', 'src', 'constants.ts'),
      '@lakegate/protocol/json-native': path.join(packages, 'protocol', 'src', 'json-native.ts'),
      '@lakegate/protocol': path.join(packages, 'protocol', 'src', 'index.ts'),
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // Vite's modulepreload polyfill would be an inline script, which the console's Content-Security-Policy forbids.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});

/**
 * A headless Chromium (Debian's, installed by scripts/peers/chromium.sh when missing) driven by playwright-core,
 * with the flags this machine needs: no sandbox as root, and no background connections to Google's services
 * (this network refuses them). playwright-core starts every browser with a fresh temporary profile directory
 * (--user-data-dir) of its own and removes it at close.
 */
import { chromium, type Browser } from 'playwright-core';
import { peerScript } from './peers.js';
import { runAsync } from './temp.js';

export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const found = await runAsync('bash', [peerScript('chromium.sh')], { timeoutMs: 15 * 60_000 });
  if (found.status !== 0) throw new Error(`chromium.sh failed:\n${found.stderr}`);
  const executablePath = found.stdout.trim().split('\n').at(-1)!;
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}

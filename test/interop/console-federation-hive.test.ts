/**
 * The console's page of a federated warehouse on a Hive Metastore (issue 57) in a real browser (Debian's Chromium driven
 * by playwright-core) against a real `lakegate serve`: the metastore is Hive's standalone metastore 4.0.1 taking
 * password logins only (SASL PLAIN, metastore.authentication=CONFIG), behind a TLS front that requires client
 * certificates (HAProxy, as in test/interop/federation-hive-mtls.test.ts), so the warehouse's secret holds both a TLS
 * client key and a password. On the settings page the platform administrator sees the login (auth, username) and only
 * whether a secret is stored; a key of another certificate chosen as a file is refused in the server's words; after
 * the metastore's password changed, "Check connection" shows its refusal, a wrong password typed is refused, and the
 * new password with the client key file is saved and connects again. No password and no key is ever in the DOM.
 * Screenshot: tmp/console-screenshots/federation-hive-login.png.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleRig, screenshot, signInWithSecret, startConsoleRig } from '../support/console-pages.js';
import { startHiveMetastore, type HiveMetastore } from '../support/hive-metastore.js';
import { tempDir } from '../support/temp.js';
import { type ClientCertificate, makeCertificates, makeClientCertificate, type TestCertificates } from '../support/tls-certs.js';
import { startMutualTlsFront, type TlsFront } from '../support/tls-front.js';

const USER = 'lakegate';
const password = () => `pw-${randomBytes(12).toString('hex')}`;
const first = password();
const second = password();
const wrong = password();

let rig: ConsoleRig;
let metastore: HiveMetastore;
let front: TlsFront;
let certs: TestCertificates;
let client: ClientCertificate;
let other: ClientCertificate;
const dir = tempDir('lakegate-console-hive-');

beforeAll(async () => {
  metastore = await startHiveMetastore({ login: { username: USER, password: first } });
  const certDir = path.join(dir.dir, 'certs');
  mkdirSync(certDir);
  certs = makeCertificates(certDir);
  client = makeClientCertificate(certDir, 'lakegate', 'ca');
  other = makeClientCertificate(certDir, 'other', 'ca');
  front = await startMutualTlsFront(certDir, certs.keystoreFile, certs.ca, metastore.port);
  rig = await startConsoleRig();
  const created = await rig.send('POST', '/management/v1/warehouses', {
    name: 'hive-login',
    'storage-root': `file://${rig.server.dataDir}/hive-login`,
    'storage-profile': { type: 'file' },
    federation: {
      kind: 'hive',
      uri: `thrift://127.0.0.1:${front.port}`,
      'timeout-ms': 15000,
      tls: true,
      'tls-ca': certs.ca,
      'tls-client-cert': client.cert,
      auth: 'password',
      username: USER,
    },
    'federation-secret': { 'tls-client-key': client.key, password: first },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}, 20 * 60_000);

afterAll(async () => {
  await rig?.chrome.close();
  await rig?.server.stop();
  await front?.stop();
  await metastore?.destroy();
  dir.cleanup();
}, 60_000);

/** The page's HTML and the values of its inputs: where a typed or stored secret would show. */
const rendered = async (page: Page) =>
  `${await page.content()}\n${(await page.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).join('\n')}`;

const keyFile = (c: ClientCertificate) => ({ name: 'client.key', mimeType: 'application/x-pem-file', buffer: Buffer.from(c.key) });

describe('console: a federated warehouse on a Hive Metastore with a password login', () => {
  it('shows the login, takes a new password and a TLS client key file, shows refusals in the server’s words, never renders a secret', async () => {
    const context = await rig.chrome.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const [id, secret] = rig.server.credential.split(':') as [string, string];
    await signInWithSecret(page, rig.server.url, id, secret);
    await page.goto(`${rig.server.url}/ui/catalog/hive-login/settings`);
    const section = page.locator('section[aria-labelledby=federation]');
    await section.getByTestId('federation-secret').waitFor();
    const setting = (key: string) => section.locator(`[data-testid=federation-setting][data-key="${key}"] dd`).textContent();
    expect(await setting('auth')).toBe('password');
    expect(await setting('username')).toBe(USER);
    expect(await section.getByTestId('federation-secret').textContent()).toBe('stored (encrypted; never shown)');
    await section.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(async () => section.getByTestId('federation-status').getAttribute('data-ok'), { timeout: 30_000 }).toBe('true');

    // A key of another certificate, chosen as a file: the server's check refuses it (so the file's text was sent).
    await section.getByRole('button', { name: 'Change the remote' }).click();
    const form = page.getByRole('form', { name: 'Federation settings' });
    const keyInput = form.locator('input[name=federation-secret-tls-client-key]');
    const passwordInput = form.locator('input[name=federation-secret-password]');
    expect(await keyInput.getAttribute('type')).toBe('file');
    expect(await passwordInput.getAttribute('type')).toBe('password');
    await keyInput.setInputFiles(keyFile(other));
    await passwordInput.fill(first);
    await form.getByRole('button', { name: 'Save federation' }).click();
    await form.getByTestId('error').waitFor({ timeout: 30_000 });
    expect(await form.getByTestId('error').textContent()).toContain('federation-secret.tls-client-key is not the private key of federation.tls-client-cert');
    expect(await passwordInput.inputValue()).toBe('');
    expect(await keyInput.evaluate((e) => (e as HTMLInputElement).files?.length ?? 0)).toBe(0);

    // The metastore's password changes: "Check connection" shows its refusal of the stored login.
    await metastore.changePassword(second);
    await section.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(async () => section.getByTestId('federation-status').getAttribute('data-ok'), { timeout: 30_000 }).toBe('false');
    expect(await section.getByTestId('federation-remote-error').textContent()).toContain("did not accept Lakegate's login");

    // A wrong password typed: the connection test's refusal, in the server's words; nothing stored changes.
    await keyInput.setInputFiles(keyFile(client));
    await passwordInput.fill(wrong);
    await form.getByRole('button', { name: 'Save federation' }).click();
    await expect.poll(async () => form.getByTestId('error').textContent(), { timeout: 30_000 }).toContain('Error validating the login');
    expect(await form.getByTestId('error').textContent()).toContain('federation-secret.password');

    // The new password and the client key: accepted, connected again.
    await keyInput.setInputFiles(keyFile(client));
    await passwordInput.fill(second);
    await form.getByRole('button', { name: 'Save federation' }).click();
    await expect.poll(async () => form.getByTestId('federation-notice').textContent(), { timeout: 30_000 }).toBe('Saved: the remote accepted the new secret.');
    await section.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(async () => section.getByTestId('federation-status').getAttribute('data-ok'), { timeout: 30_000 }).toBe('true');
    expect((await rig.send('GET', '/v1/hive-login/namespaces')).body.namespaces).toContainEqual(['default']);
    await screenshot(page, 'federation-hive-login');

    const html = await rendered(page);
    for (const text of [first, second, wrong, client.key.split('\n')[1]!, other.key.split('\n')[1]!]) expect(html).not.toContain(text);
    expect(rig.server.output() + rig.server.errorOutput()).not.toContain(second);
    await context.close();
  });
});

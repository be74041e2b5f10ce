/**
 * An Azurite blob service (the Azure Storage emulator, npm `azurite`) for a test file: a
 * child process on a free 127.0.0.1 port, one storage account with a random key, its
 * data in a temporary directory. Azurite serves path-style URLs
 * (http://127.0.0.1:PORT/<account>/<container>/<blob>) and checks shared-key signatures and
 * service SAS (signature, permissions, resource, expiry). It has no Data Lake (dfs) endpoint
 * and no directory SAS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { REPO_ROOT } from './server-process.js';
import { freePort, tempDir } from './temp.js';

const MAIN = path.join(REPO_ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');

export interface Azurite {
  account: string;
  /** The account key (base64), known only to the test and the catalog's warehouse secret. */
  accountKey: string;
  /** Blob service URL of the account: http://127.0.0.1:PORT/<account>. */
  endpoint: string;
  /** A client with the account key (for setting up and checking, never handed to peers). */
  root: BlobServiceClient;
  createContainer(name: string): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

export async function startAzurite(account = 'lakegateacct'): Promise<Azurite> {
  const dir = tempDir('lakegate-azurite-');
  const port = await freePort();
  const accountKey = randomBytes(32).toString('base64');
  const child: ChildProcess = spawn(
    process.execPath,
    [MAIN, '--blobHost', '127.0.0.1', '--blobPort', String(port), '-l', dir.dir, '--skipApiVersionCheck', '--disableTelemetry'],
    { env: { ...process.env, AZURITE_ACCOUNTS: `${account}:${accountKey}` }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Azurite did not start in time:\n${out}`)), 60_000);
    const check = () => {
      // "Azurite Blob service successfully listens on http://127.0.0.1:PORT"
      if (/successfully listen/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with ${code}:\n${out}`));
    });
  });
  try {
    await started;
  } catch (e) {
    child.kill('SIGKILL');
    dir.cleanup();
    throw e;
  }
  const endpoint = `http://127.0.0.1:${port}/${account}`;
  const root = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(account, accountKey));
  return {
    account,
    accountKey,
    endpoint,
    root,
    createContainer: async (name) => {
      await root.getContainerClient(name).create();
    },
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      dir.cleanup();
    },
  };
}

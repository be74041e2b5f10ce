/**
 * `lakegate admin warehouse set NAME …`: change a warehouse's settings (its properties), and `lakegate admin warehouse
 * storage NAME …`: replace its storage profile, and `lakegate admin warehouse federation NAME …`: rotate a federated
 * warehouse's remote credential or change its settings; all checked by the server as at creation; and `lakegate admin
 * warehouse federation-status NAME`: test the remote now with what is stored, and `lakegate admin warehouse
 * federation-failures NAME`: the remote's failure history, a page at a time.
 */
import { readFileSync } from 'node:fs';
import type { FederationRemoteFailure, FederationStatus } from '@lakegate/client';
import { jsonArg, keyValues, parseCommand, positionalArgs, secretArg } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help } from '../cli/dispatch.js';
import { EXIT_SERVER, UsageError } from '../cli/errors.js';
import { keyValue } from '../cli/output.js';
import { openManagement } from '../cli/settings.js';
import { ADMIN_HELP } from './admin-help.js';

/**
 * --federation-tls-ca FILE: a Hive remote's CA bundle (PEM) read from a file into federation.tls-ca (a certificate is
 * public; the server checks it). The file's text is never echoed.
 */
export function withTlsCa<T extends object>(federation: T, file: string | undefined): T {
  if (file === undefined) return federation;
  return { ...federation, tls: true, 'tls-ca': readPem(file, '--federation-tls-ca') };
}

/** A PEM file's text (never echoed: a failure names the file and the error code only). */
function readPem(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The options naming a warehouse's remote catalog and its credential, as warehouse create and warehouse federation take them. */
export const FEDERATION_OPTIONS = {
  federation: { type: 'string' },
  'federation-secret': { type: 'string' },
  'federation-tls-ca': { type: 'string' },
  'federation-tls-client-cert': { type: 'string' },
  'federation-tls-client-key': { type: 'string' },
  'federation-username': { type: 'string' },
  'federation-password': { type: 'string' },
} as const;

/**
 * --federation-tls-client-cert FILE and --federation-tls-client-key FILE: a Hive remote's client certificate for mutual
 * TLS into federation.tls-client-cert (public) and its private key into federation-secret.tls-client-key (sealed by the
 * server), beside any other --federation-secret fields. The key's text is never printed.
 */
export function withTlsClient<F extends object, S extends object>(
  federation: F | undefined,
  secret: S | undefined,
  certFile: string | undefined,
  keyFile: string | undefined,
): { federation: F | undefined; secret: S | undefined } {
  return {
    federation:
      certFile === undefined || federation === undefined ? federation : { ...federation, 'tls-client-cert': readPem(certFile, '--federation-tls-client-cert') },
    secret: keyFile === undefined ? secret : ({ ...secret, 'tls-client-key': readPem(keyFile, '--federation-tls-client-key') } as unknown as S),
  };
}

/**
 * --federation-username USER and --federation-password -|@FILE|VALUE: a Hive remote's password login (SASL PLAIN):
 * federation.auth password with federation.username, and the password into federation-secret.password (sealed by the
 * server; from stdin or a file keeps it out of the shell's history and `ps`). The password is never printed.
 */
export function withLogin<F extends object, S extends object>(
  federation: F | undefined,
  secret: S | undefined,
  username: string | undefined,
  password: string | undefined,
): { federation: F | undefined; secret: S | undefined } {
  return {
    federation: username === undefined || federation === undefined ? federation : { ...federation, auth: 'password', username },
    secret: password === undefined ? secret : ({ ...secret, password: secretArg(password, '--federation-password') } as unknown as S),
  };
}

/** The remote's settings as lines: a CA bundle or a client certificate chain shown by its count of certificates, not its text. */
export function federationLines(federation: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(federation).map(([k, v]): [string, string] => [
    k,
    (k === 'tls-ca' || k === 'tls-client-cert') && typeof v === 'string'
      ? `${v.split('-----BEGIN CERTIFICATE-----').length - 1} PEM certificate(s)`
      : typeof v === 'string'
        ? v
        : JSON.stringify(v),
  ]);
}

/** --property K=V sets, --remove K removes (back to the server's default); at least one of them. */
export async function warehouseSet(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { property: { type: 'string', multiple: true }, remove: { type: 'string', multiple: true } });
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  const updates = keyValues(values.property as string[] | undefined, '--property');
  const removals = (values.remove as string[] | undefined) ?? [];
  if (Object.keys(updates).length === 0 && removals.length === 0) throw new UsageError('warehouse set needs --property K=V or --remove K');
  const { out, settings } = commandContext(values);
  const changed = await out.progress('changing the warehouse', () => openManagement(settings).updateWarehouseProperties(name!, { updates, removals }));
  out.result(
    changed,
    () =>
      `Warehouse ${changed.name}\n${
        keyValue(
          Object.entries(changed.properties).sort(([a], [b]) => a.localeCompare(b)),
          '  ',
        ) || '  (no properties)'
      }`,
  );
  return 0;
}

/**
 * --storage-profile JSON|@FILE replaces the profile whole (same type, same bucket or container); --storage-secret
 * JSON|@FILE|- replaces the secret (from a file or standard input, so it stays out of the shell's history), absent keeps it;
 * --remove-storage-secret deletes it (the server's own cloud credentials then: platform administrators only).
 */
export async function warehouseStorage(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    'storage-profile': { type: 'string' },
    'storage-secret': { type: 'string' },
    'remove-storage-secret': { type: 'boolean' },
  });
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  if (!values['storage-profile'])
    throw new UsageError('warehouse storage needs --storage-profile JSON|@FILE, e.g. {"type": "s3", "bucket": "lake", "endpoint": "http://minio:9000"}');
  const profile = jsonArg(values['storage-profile'] as string, '--storage-profile') as Record<string, unknown>;
  const secret =
    values['storage-secret'] === undefined ? undefined : (jsonArg(values['storage-secret'] as string, '--storage-secret') as Record<string, unknown>);
  if (secret !== undefined && values['remove-storage-secret']) throw new UsageError('give --storage-secret or --remove-storage-secret, not both');
  const { out, settings } = commandContext(values);
  const removal = values['remove-storage-secret'] ? { 'remove-storage-secret': true } : {};
  const changed = await out.progress('changing the storage profile', () =>
    openManagement(settings).updateWarehouseStorageProfile(name!, {
      'storage-profile': profile,
      ...(secret === undefined ? {} : { 'storage-secret': secret }),
      ...removal,
    }),
  );
  const profileLines = Object.entries(changed['storage-profile']).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  out.result(
    changed,
    () => `Warehouse ${changed.name}\n${keyValue([...profileLines, ['secret', changed['has-storage-secret'] ? 'stored (encrypted)' : 'none']], '  ')}`,
  );
  return 0;
}

/**
 * --federation JSON|@FILE replaces the remote settings whole (same kind); --federation-secret JSON|@FILE|- replaces the
 * credential (from a file or standard input, so it stays out of the shell's history); --remove-federation-secret
 * deletes it. The server tests the remote with the result before storing it.
 */
export async function warehouseFederation(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { ...FEDERATION_OPTIONS, 'remove-federation-secret': { type: 'boolean' } });
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  const username = values['federation-username'] as string | undefined;
  const password = values['federation-password'] as string | undefined;
  const tlsCa = values['federation-tls-ca'] as string | undefined;
  const clientCert = values['federation-tls-client-cert'] as string | undefined;
  const clientKey = values['federation-tls-client-key'] as string | undefined;
  let federation = values.federation === undefined ? undefined : (jsonArg(values.federation as string, '--federation') as Record<string, unknown>);
  let secret =
    values['federation-secret'] === undefined ? undefined : (jsonArg(values['federation-secret'] as string, '--federation-secret') as Record<string, unknown>);
  const remove = values['remove-federation-secret'] === true;
  if ((secret !== undefined || clientKey !== undefined || password !== undefined) && remove)
    throw new UsageError('give --federation-secret (or --federation-tls-client-key, --federation-password) or --remove-federation-secret, not both');
  if ([federation, secret, tlsCa, clientCert, clientKey, username, password].every((v) => v === undefined) && !remove)
    throw new UsageError(
      'warehouse federation needs --federation JSON|@FILE, --federation-tls-ca FILE, --federation-tls-client-cert FILE, --federation-tls-client-key FILE, --federation-username USER, --federation-password -|@FILE, --federation-secret JSON|@FILE|- or --remove-federation-secret',
    );
  const { out, settings } = commandContext(values);
  if ((tlsCa !== undefined || clientCert !== undefined || username !== undefined) && federation === undefined) {
    // Only the CA, the client certificate or the user name changes: the stored settings (without has-secret) with it.
    const stored = (await openManagement(settings).listWarehouses()).find((w) => w.name === name)?.federation;
    if (!stored) throw new UsageError(`warehouse ${name} is not a federated warehouse (or not visible to you)`);
    const { 'has-secret': _hasSecret, ...rest } = stored;
    federation = rest;
  }
  if (federation !== undefined) federation = withTlsCa(federation, tlsCa);
  ({ federation, secret } = withTlsClient(federation, secret, clientCert, clientKey));
  ({ federation, secret } = withLogin(federation, secret, username, password));
  const changed = await out.progress('changing the remote catalog', () =>
    openManagement(settings).updateWarehouseFederation(name!, {
      ...(federation === undefined ? {} : { federation: federation as never }),
      ...(secret === undefined ? {} : { 'federation-secret': secret }),
      ...(remove ? { 'remove-federation-secret': true } : {}),
    }),
  );
  const lines = federationLines(changed.federation ?? {});
  out.result(changed, () => `Warehouse ${changed.name}\n${keyValue(lines, '  ') || '  (not federated)'}`);
  return 0;
}

/** One recorded failure on a line: when (first to last), in which call, how often, with what error. */
function failureLine(f: FederationRemoteFailure): string {
  const when =
    f.count === 1 ? new Date(f['last-at-ms']).toISOString() : `${new Date(f['first-at-ms']).toISOString()} .. ${new Date(f['last-at-ms']).toISOString()}`;
  return `  ${when}  ${f.operation} x${f.count}  ${f.error.type} ${f.error.code}: ${f.error.message}`;
}

/** The remote's recorded failures, newest first. */
function recentFailures(failures: NonNullable<FederationStatus['recent-failures']>): string {
  if (failures.length === 0) return '\nrecent failures: none recorded';
  return `\nrecent failures (newest first):\n${failures.map(failureLine).join('\n')}`;
}

/**
 * The remote's whole failure history, a page at a time (--page-size N, --page-token TOKEN from the previous page's
 * `next page` line), newest first. Nothing is called at the remote. --json prints the server's page as it answers it.
 */
export async function warehouseFederationFailures(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { 'page-size': { type: 'string' }, 'page-token': { type: 'string' } });
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  const sizeText = values['page-size'] as string | undefined;
  const pageSize = sizeText === undefined ? undefined : Number(sizeText);
  if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1 && pageSize <= 1000))
    throw new UsageError('--page-size must be a whole number from 1 to 1000');
  const pageToken = values['page-token'] as string | undefined;
  const { out, settings } = commandContext(values);
  const page = await out.progress('reading the failure history', () =>
    openManagement(settings).listWarehouseFederationFailures(name!, { ...(pageToken ? { pageToken } : {}), ...(pageSize ? { pageSize } : {}) }),
  );
  out.result(page, () => {
    const lines = page.failures.length === 0 ? 'failures: none recorded' : `failures (newest first):\n${page.failures.map(failureLine).join('\n')}`;
    return page['next-page-token'] === undefined ? lines : `${lines}\nnext page: --page-token ${page['next-page-token']}`;
  });
  return 0;
}

/**
 * Calls the remote now with the stored settings and credential (the server's connection test): prints ok, or the
 * remote's refusal or failure in the words the server answers it with; exits 1 when the remote did not pass, so a
 * script or health check can act on it. Then the remote's recorded failures (newest first) and when it last answered.
 * --json prints the server's FederationStatus either way.
 */
export async function warehouseFederationStatus(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(ADMIN_HELP);
  const [name] = positionalArgs(positionals, ['NAME']);
  const { out, settings } = commandContext(values);
  const status = await out.progress('calling the remote catalog', () => openManagement(settings).getWarehouseFederationStatus(name!));
  const error = status.error;
  out.result(
    status,
    () =>
      keyValue(
        [
          ['warehouse', status.warehouse],
          ['remote', status.kind],
          ['status', status.ok ? 'ok' : 'failed'],
          ...(error ? [['error', `${error.type} ${error.code}: ${error.message}`] as [string, string]] : []),
          ['checked', new Date(status['checked-at-ms']).toISOString()],
          ['elapsed', `${status['elapsed-ms']} ms`],
          ['last answered', status['last-answered-at-ms'] === undefined ? 'unknown' : new Date(status['last-answered-at-ms']).toISOString()],
        ],
        '',
      ) + recentFailures(status['recent-failures'] ?? []),
  );
  return status.ok ? 0 : EXIT_SERVER;
}

/** `lakegate admin api-key …` and `lakegate admin access-key …`: a principal's machine credentials. */
import type { SubCommand } from '../cli/dispatch.js';
import { secondsArg, parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { keyValue, table } from '../cli/output.js';
import { openManagement } from '../cli/settings.js';
import { ADMIN_HELP } from './admin-help.js';

export const API_KEY_COMMANDS: Readonly<Record<string, SubCommand>> = { ls: apiKeyList, create: apiKeyCreate, revoke: apiKeyRevoke };
export const ACCESS_KEY_COMMANDS: Readonly<Record<string, SubCommand>> = { ls: accessKeyList, create: accessKeyCreate, revoke: accessKeyRevoke };

const when = (ms: number | null, none: string) => (ms === null ? none : new Date(ms).toISOString());

async function apiKeyList(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(ADMIN_HELP);
  const [clientId] = positionalArgs(positionals, ['CLIENT_ID']);
  const { out, settings } = commandContext(values);
  const keys = await out.progress('listing API keys', () => openManagement(settings).listApiKeys(clientId!));
  const rows = keys.map((k) => ({
    'key-id': k['key-id'],
    name: k.name,
    created: when(k['created-at-ms'], '-'),
    expires: when(k['expires-at-ms'], 'never'),
    revoked: when(k['revoked-at-ms'], 'no'),
  }));
  out.result({ 'api-keys': keys }, () => (rows.length ? table(rows, ['key-id', 'name', 'created', 'expires', 'revoked']) : 'no API keys'));
  return 0;
}

async function accessKeyList(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(ADMIN_HELP);
  const [clientId] = positionalArgs(positionals, ['CLIENT_ID']);
  const { out, settings } = commandContext(values);
  const keys = await out.progress('listing access keys', () => openManagement(settings).listAccessKeys(clientId!));
  const rows = keys.map((k) => ({ 'access-key-id': k['access-key-id'], created: when(k['created-at-ms'], '-'), revoked: when(k['revoked-at-ms'], 'no') }));
  out.result({ 'access-keys': keys }, () => (rows.length ? table(rows, ['access-key-id', 'created', 'revoked']) : 'no access keys'));
  return 0;
}

async function accessKeyRevoke(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(ADMIN_HELP);
  const [clientId, keyId] = positionalArgs(positionals, ['CLIENT_ID', 'ACCESS_KEY_ID']);
  const { out, settings } = commandContext(values);
  await out.progress('revoking access key', () => openManagement(settings).revokeAccessKey(clientId!, keyId!));
  out.result({ revoked: keyId }, () => `Revoked access key ${keyId} of ${clientId}`);
  return 0;
}

async function apiKeyCreate(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { name: { type: 'string' }, 'expires-in': { type: 'string' } });
  if (values.help) return help(ADMIN_HELP);
  const [clientId] = positionalArgs(positionals, ['CLIENT_ID']);
  if (!values.name) throw new UsageError('api-key create needs --name NAME');
  const expiresIn = secondsArg(values['expires-in'], '--expires-in');
  const { out, settings } = commandContext(values);
  const key = await out.progress('creating API key', () =>
    openManagement(settings).createApiKey(clientId!, { name: values.name!, ...(expiresIn === undefined ? {} : { 'expires-in-seconds': expiresIn }) }),
  );
  out.result(
    key,
    () =>
      `Created API key ${key['key-id']} for ${clientId}\n${keyValue(
        [
          ['api-key', key['api-key']],
          ['expires', key['expires-at-ms'] === null ? 'never' : new Date(key['expires-at-ms']).toISOString()],
        ],
        '  ',
      )}`,
  );
  out.note('The key is shown this once (send it as x-api-key, or lakegate --api-key); store it now.');
  return 0;
}

async function apiKeyRevoke(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(ADMIN_HELP);
  const [keyId] = positionalArgs(positionals, ['KEY_ID']);
  const { out, settings } = commandContext(values);
  await out.progress('revoking API key', () => openManagement(settings).revokeApiKey(keyId!));
  out.result({ revoked: keyId }, () => `Revoked API key ${keyId}`);
  return 0;
}

async function accessKeyCreate(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(ADMIN_HELP);
  const [clientId] = positionalArgs(positionals, ['CLIENT_ID']);
  const { out, settings } = commandContext(values);
  const key = await out.progress('creating access key', () => openManagement(settings).createAccessKey(clientId!));
  out.result(
    key,
    () =>
      `Created a SigV4 access key for ${clientId}\n${keyValue(
        [
          ['access-key-id', key['access-key-id']],
          ['secret-access-key', key['secret-access-key']],
        ],
        '  ',
      )}`,
  );
  out.note('The secret is shown this once (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for --auth sigv4); store it now.');
  return 0;
}

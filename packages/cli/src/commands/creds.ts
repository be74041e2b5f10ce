/**
 * `lakegate creds TABLE`: the storage credentials the catalog vends for a table. Shows prefix, provider and expiry;
 * secret values (keys, tokens, SAS) only with --show-secrets.
 */
import type { StorageCredential } from '@lakegate/client';
import { CONNECTION_HELP, parseCommand, positionalArgs } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { help } from '../cli/dispatch.js';
import { formatObjectIdentifier, NAMESPACE_OPTION, parseObjectIdentifier } from '../cli/identifiers.js';
import { describeTime, keyValue } from '../cli/output.js';
import { isSecretKey, maskProperties } from '../cli/secrets.js';
import { openCatalog } from '../cli/settings.js';

const HELP = `usage: lakegate creds TABLE [--show-secrets] [--namespace NS]

Loads fresh vended storage credentials for TABLE (the Iceberg loadCredentials endpoint) and shows, per credential,
its prefix, storage provider and expiry. Secret values are masked unless --show-secrets is given.

${CONNECTION_HELP}`;

export async function creds(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, { 'show-secrets': { type: 'boolean' }, ...NAMESPACE_OPTION });
  if (values.help) return help(HELP);
  const [text] = positionalArgs(positionals, ['TABLE']);
  const id = parseObjectIdentifier(text!, values.namespace);
  const { out, settings } = commandContext(values);
  const response = await out.progress('loading credentials', () => openCatalog(settings).loadCredentials(id));
  const show = values['show-secrets'] === true;
  const described = response['storage-credentials'].map((c) => describeCredential(c, show));
  out.result({ table: formatObjectIdentifier(id), 'storage-credentials': described }, () => {
    if (described.length === 0) return `no credentials vended for ${formatObjectIdentifier(id)} (its storage needs none, or vending is off)`;
    const blocks = described.map((c) =>
      keyValue([
        ['prefix', c.prefix],
        ['provider', c.provider],
        ['expires', c['expires-at-ms'] === null ? 'unknown' : describeTime(c['expires-at-ms'])],
        ...Object.entries(c.config).map(([k, v]): [string, string] => [k, v]),
      ]),
    );
    const hidden = described.some((c) => Object.values(c.config).includes('***'));
    return `${blocks.join('\n\n')}${hidden ? '\n\n(secret values masked; --show-secrets prints them)' : ''}`;
  });
  return 0;
}

/** One credential for display: provider and expiry worked out, secrets masked unless asked for. */
function describeCredential(credential: StorageCredential, showSecrets: boolean) {
  const expiries = Object.entries(credential.config)
    .filter(([k]) => /expires-at/.test(k))
    .map(([, v]) => Number(v))
    .filter((n) => Number.isFinite(n) && n > 0);
  return {
    prefix: credential.prefix,
    provider: providerOf(credential),
    'expires-at-ms': expiries.length ? Math.min(...expiries) : null,
    config: showSecrets ? credential.config : maskProperties(credential.config),
    'secrets-shown': showSecrets || !Object.keys(credential.config).some(isSecretKey),
  };
}

function providerOf(credential: StorageCredential): string {
  const scheme = /^([a-z0-9+.-]+):/i.exec(credential.prefix)?.[1]?.toLowerCase();
  if (scheme === 's3' || scheme === 's3a' || scheme === 's3n') return 's3';
  if (scheme === 'abfs' || scheme === 'abfss' || scheme === 'wasb' || scheme === 'wasbs') return 'azure';
  if (scheme === 'gs' || scheme === 'gcs') return 'gcs';
  const keys = Object.keys(credential.config);
  if (keys.some((k) => k.startsWith('s3.'))) return 's3';
  if (keys.some((k) => k.startsWith('adls.'))) return 'azure';
  if (keys.some((k) => k.startsWith('gcs.'))) return 'gcs';
  return scheme ?? 'unknown';
}

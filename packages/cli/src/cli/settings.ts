/**
 * Where a command connects and how it authenticates, resolved from three layers: flags > environment > profile.
 * Auth is chosen as a whole: the highest layer that names an identity (auth type, credential, token, API key)
 * supplies all of those keys, so `--token` never mixes with a profile's OAuth2 credential. Modifiers (scope, token
 * endpoint, signing settings, `header.*`) merge key by key.
 */
import { IcebergRestCatalog, LakegateManagement, createAuthProvider, resolveAuthType, type AuthProvider } from '@lakegate/client';
import { credentialArg, keyValues, secondsArg, secretArg, type ConnectionValues } from './args.js';
import { UsageError } from './errors.js';
import { ProfileStore, configDir, type Profile } from './profiles.js';

/** Property keys that select an identity; they come from one layer only. */
const IDENTITY_KEYS = new Set(['rest.auth.type', 'credential', 'token', 'rest.auth.api-key', 'api-key', 'rest.sigv4-enabled']);

/** Environment variables the CLI reads, and the catalog property each sets. */
export const ENV_PROPERTIES: ReadonlyArray<[string, string]> = [
  ['LAKEGATE_AUTH_TYPE', 'rest.auth.type'],
  ['LAKEGATE_CREDENTIAL', 'credential'],
  ['LAKEGATE_TOKEN', 'token'],
  ['LAKEGATE_API_KEY', 'rest.auth.api-key'],
  ['LAKEGATE_SCOPE', 'scope'],
  ['LAKEGATE_OAUTH2_SERVER_URI', 'oauth2-server-uri'],
];

/** The resolved connection of one command run. */
export interface Settings {
  profileName: string;
  /** The stored profile, when there is one. */
  profile: Profile | undefined;
  uri: string | undefined;
  warehouse: string | undefined;
  properties: Record<string, string>;
  timeoutMs: number | undefined;
  store: ProfileStore;
}

/** Resolves settings from flags, environment and the selected profile. */
export function resolveSettings(
  values: ConnectionValues,
  options: { env?: NodeJS.ProcessEnv; store?: ProfileStore; allowNewProfile?: boolean } = {},
): Settings {
  const env = options.env ?? process.env;
  const store = options.store ?? new ProfileStore(configDir(env));
  const profileName = values.profile ?? env['LAKEGATE_PROFILE'] ?? 'default';
  const profile = store.get(profileName);
  if (values.profile !== undefined && !profile && !options.allowNewProfile) {
    throw new UsageError(`no profile ${JSON.stringify(values.profile)} in ${store.file}; run "lakegate login --profile ${values.profile} --uri ..."`);
  }

  const envProps: Record<string, string> = {};
  for (const [name, key] of ENV_PROPERTIES) if (env[name]) envProps[key] = env[name]!;
  const flagProps = flagProperties(values);

  const layers = [profile?.properties ?? {}, envProps, flagProps];
  const identityLayer = [...layers].reverse().find((layer) => Object.keys(layer).some((k) => IDENTITY_KEYS.has(k))) ?? {};
  const properties: Record<string, string> = {};
  for (const layer of layers) for (const [k, v] of Object.entries(layer)) if (!IDENTITY_KEYS.has(k)) properties[k] = v;
  for (const [k, v] of Object.entries(identityLayer)) if (IDENTITY_KEYS.has(k)) properties[k] = v;

  const timeout = secondsArg(values.timeout, '--timeout');
  return {
    profileName,
    profile,
    uri: values.uri ?? env['LAKEGATE_URI'] ?? profile?.uri,
    warehouse: values.warehouse ?? env['LAKEGATE_WAREHOUSE'] ?? profile?.warehouse,
    properties,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    store,
  };
}

/** The catalog properties the flags set. */
function flagProperties(values: ConnectionValues): Record<string, string> {
  const props: Record<string, string> = { ...keyValues(values['catalog-property'], '--catalog-property') };
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined) props[key] = value;
  };
  set('rest.auth.type', values.auth);
  set('credential', credentialArg(values.credential, '--credential'));
  set('token', secretArg(values.token, '--token'));
  set('rest.auth.api-key', secretArg(values['api-key'], '--api-key'));
  set('scope', values.scope);
  set('oauth2-server-uri', values['oauth2-server-uri']);
  set('rest.signing-region', values['signing-region']);
  set('rest.signing-name', values['signing-name']);
  return props;
}

/** The catalog URI, or a usage error telling how to set one. */
export function requireUri(settings: Settings): string {
  if (!settings.uri) {
    throw new UsageError(`no catalog URI: run "lakegate login --uri URL" (profile "${settings.profileName}"), pass --uri, or set LAKEGATE_URI`);
  }
  return settings.uri;
}

/** The auth provider name the settings select (e.g. "oauth2"). */
export function authTypeOf(settings: Settings): string {
  return resolveAuthType(settings.properties);
}

/** An Iceberg REST catalog client for the settings (validates the configuration at construction). */
export function openCatalog(settings: Settings): IcebergRestCatalog {
  const uri = requireUri(settings);
  return new IcebergRestCatalog({
    uri,
    properties: settings.properties,
    ...(settings.warehouse ? { warehouse: settings.warehouse } : {}),
    ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
  });
}

/** The auth provider for the settings (for calls outside the Iceberg API, e.g. the token endpoint). */
export function openAuth(settings: Settings): AuthProvider {
  return createAuthProvider(settings.properties, { uri: requireUri(settings) });
}

/** A client for Lakegate's management API at the catalog's base URI, with the settings' auth and `header.*` properties. */
export function openManagement(settings: Settings): LakegateManagement {
  return new LakegateManagement({
    uri: requireUri(settings),
    properties: settings.properties,
    ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
  });
}

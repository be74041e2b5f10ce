/**
 * `lakegate token inspect|exchange`. inspect decodes a JWT's claims WITHOUT verifying it (and says so). exchange
 * runs an RFC 8693 token exchange at the catalog's token endpoint with the profile's session as the actor, the way
 * an engine obtains a per-user session.
 */
import type { AuthProvider } from '@lakegate/client';
import { CONNECTION_HELP, parseCommand, positionalArgs, secretArg } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { UsageError } from '../cli/errors.js';
import { bearerOf, decodeJwtUnverified, type DecodedJwt } from '../cli/jwt.js';
import { describeTime, keyValue, type Output } from '../cli/output.js';
import { tokenEndpoint, tokenEndpointTransport } from '../cli/sdk-fallbacks.js';
import { authTypeOf, openAuth, requireUri } from '../cli/settings.js';
import { help } from './login.js';

const HELP = `usage:
  lakegate token inspect [TOKEN|-|@FILE]
      Decodes a JWT and prints its header and claims. The signature is NOT verified. Without TOKEN, inspects
      the access token the current profile sends (the token itself is never printed).
  lakegate token exchange --subject-token TOKEN|-|@FILE [--subject-token-type TYPE] [--no-actor | --actor-token T]
                          [--scope S] [--audience A] [--resource URI] [--show-secrets]
      RFC 8693 token exchange at the profile's token endpoint ({uri}/v1/oauth/tokens or oauth2-server-uri). The
      profile's session token is the actor (delegation: the result names the subject as sub and you in act);
      --no-actor exchanges the subject token alone. Prints the issued token's claims; the token itself only with
      --show-secrets. TYPE: access_token (default), jwt, id_token, or a full URN.

${CONNECTION_HELP}`;

const TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:';

export async function tokenCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'inspect':
    case 'decode':
      return inspect(rest);
    case 'exchange':
      return exchange(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return help(HELP);
    default:
      throw new UsageError(`unknown token command ${JSON.stringify(sub)}; expected inspect or exchange`);
  }
}

async function inspect(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {});
  if (values.help) return help(HELP);
  const [given] = positionalArgs(positionals, ['TOKEN'], 1);
  const { out, settings } = commandContext(values);
  let token = secretArg(given, 'TOKEN');
  let source = 'argument';
  if (token === undefined) {
    const uri = requireUri(settings);
    token = await out.progress('getting a token', () => bearerOf(openAuth(settings), uri));
    if (!token) throw new UsageError(`the profile's auth provider "${authTypeOf(settings)}" sends no bearer token; pass TOKEN`);
    source = `profile "${settings.profileName}"`;
  }
  printDecoded(out, decodeJwtUnverified(token), { source });
  return 0;
}

async function exchange(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    'subject-token': { type: 'string' },
    'subject-token-type': { type: 'string' },
    'actor-token': { type: 'string' },
    'no-actor': { type: 'boolean' },
    audience: { type: 'string' },
    resource: { type: 'string' },
    'requested-token-type': { type: 'string' },
    'show-secrets': { type: 'boolean' },
  });
  if (values.help) return help(HELP);
  positionalArgs(positionals, []);
  if (values['no-actor'] && values['actor-token'] !== undefined) throw new UsageError('--no-actor and --actor-token exclude each other');
  const subjectToken = secretArg(values['subject-token'], '--subject-token');
  if (!subjectToken) throw new UsageError('token exchange needs --subject-token TOKEN (or "-" to read it from stdin)');
  const { out, settings } = commandContext(values);
  const uri = requireUri(settings);
  const auth: AuthProvider = openAuth(settings);
  const endpoint = tokenEndpoint(settings.properties, uri);

  const form: Record<string, string> = {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: subjectToken,
    subject_token_type: tokenType(values['subject-token-type'] ?? 'access_token'),
  };
  if (!values['no-actor']) {
    const actor = secretArg(values['actor-token'], '--actor-token') ?? (await out.progress('getting the actor token', () => bearerOf(auth, endpoint)));
    if (!actor) throw new UsageError(`the profile's auth provider "${authTypeOf(settings)}" has no bearer token to act with; pass --actor-token or --no-actor`);
    form['actor_token'] = actor;
    form['actor_token_type'] = `${TOKEN_TYPE}access_token`;
  }
  // Client authentication (RFC 6749 §2.3.1) for issuers that require it for token exchange, e.g. Keycloak.
  const credential = settings.properties['credential'];
  if (credential && credential.indexOf(':') > 0) {
    form['client_id'] = credential.slice(0, credential.indexOf(':'));
    form['client_secret'] = credential.slice(credential.indexOf(':') + 1);
  }
  if (settings.properties['scope'] !== undefined) form['scope'] = settings.properties['scope'];
  if (values.audience) form['audience'] = values.audience;
  if (values.resource) form['resource'] = values.resource;
  if (values['requested-token-type']) form['requested_token_type'] = tokenType(values['requested-token-type']);

  const { transport, path } = tokenEndpointTransport(endpoint, auth, settings.timeoutMs);
  const { body } = await out.progress('exchanging the token', () =>
    transport.send<{ access_token?: string; issued_token_type?: string; token_type?: string; expires_in?: number; scope?: string }>({ method: 'POST', path, form, errorModel: 'oauth2' }),
  );
  if (!body?.access_token) throw new UsageError('the token endpoint answered without an access_token');
  let decoded: DecodedJwt | undefined;
  try {
    decoded = decodeJwtUnverified(body.access_token);
  } catch {
    decoded = undefined; // an opaque token: nothing to show but the response fields
  }
  const show = values['show-secrets'] === true;
  const result = {
    'issued-token-type': body.issued_token_type ?? null,
    'token-type': body.token_type ?? null,
    'expires-in': body.expires_in ?? null,
    scope: body.scope ?? null,
    verified: false,
    claims: decoded?.claims ?? null,
    ...(show ? { access_token: body.access_token } : {}),
  };
  out.result(result, () =>
    [
      `Token exchanged at ${endpoint}${form['actor_token'] ? ' (delegation: you are the actor)' : ''}.`,
      keyValue([
        ['issued type', result['issued-token-type']],
        ['expires in', result['expires-in'] === null ? undefined : `${result['expires-in']}s`],
        ['scope', result.scope],
      ]),
      ...(decoded ? ['', 'claims (decoded, NOT verified):', claimLines(decoded.claims)] : []),
      '',
      show ? `access token:\n${body.access_token}` : '(the token is not printed; --show-secrets prints it)',
    ].join('\n'),
  );
  return 0;
}

function tokenType(value: string): string {
  if (value.startsWith('urn:')) return value;
  if (!['access_token', 'refresh_token', 'id_token', 'jwt', 'saml1', 'saml2'].includes(value)) throw new UsageError(`unknown token type ${JSON.stringify(value)}`);
  return `${TOKEN_TYPE}${value}`;
}

function printDecoded(out: Output, jwt: DecodedJwt, meta: { source: string }): void {
  const exp = typeof jwt.claims['exp'] === 'number' ? (jwt.claims['exp'] as number) * 1000 : undefined;
  out.result({ verified: false, source: meta.source, header: jwt.header, claims: jwt.claims, expired: exp === undefined ? null : exp <= Date.now() }, () =>
    [
      'NOT VERIFIED: decoded without checking the signature, issuer or audience.',
      `source: ${meta.source}`,
      '',
      'header:',
      keyValue(Object.entries(jwt.header), '  '),
      '',
      'claims:',
      claimLines(jwt.claims),
    ].join('\n'),
  );
}

function claimLines(claims: Record<string, unknown>): string {
  return keyValue(
    Object.entries(claims).map(([k, v]): [string, unknown] => [k, (k === 'exp' || k === 'iat' || k === 'nbf' || k === 'auth_time') && typeof v === 'number' ? `${v}  ${describeTime(v * 1000)}` : v]),
    '  ',
  );
}

/**
 * `lakegate token inspect|exchange`. inspect decodes a JWT's claims WITHOUT verifying it (and says so). exchange
 * runs an RFC 8693 token exchange at the catalog's token endpoint with the profile's session as the actor, the way
 * an engine obtains a per-user session.
 */
import { createAuthProvider } from '@lakegate/client';
import { CONNECTION_HELP, parseCommand, positionalArgs, secretArg } from '../cli/args.js';
import { commandContext } from '../cli/context.js';
import { dispatch, help } from '../cli/dispatch.js';
import { UsageError } from '../cli/errors.js';
import { bearerOf, decodeJwtUnverified, type DecodedJwt } from '../cli/jwt.js';
import { describeTime, keyValue, type Output } from '../cli/output.js';
import { authTypeOf, openAuth, requireUri } from '../cli/settings.js';

const HELP = `usage:
  lakegate token inspect [TOKEN|-|@FILE]
      Decodes a JWT and prints its header and claims. The signature is NOT verified. Without TOKEN, inspects
      the access token the current profile sends (the token itself is never printed).
  lakegate token exchange --subject-token TOKEN|-|@FILE [--subject-token-type TYPE] [--actor-token T|-|@FILE]
                          [--actor-mode actor-token|client-auth] [--scope S] [--audience A] [--resource URI]
                          [--requested-token-type TYPE] [--show-secrets]
      RFC 8693 token exchange at the profile's token endpoint ({uri}/v1/oauth/tokens or oauth2-server-uri), through
      the SDK's token-exchange provider. The profile's session (oauth2 or bearer) is the actor: the result names
      the subject as sub and you in act. --actor-mode client-auth sends no actor token and authenticates with the
      profile's credential instead (Keycloak). Prints the issued token's claims (decoded, NOT verified); the token
      itself only with --show-secrets. TYPE: access_token (default), jwt, id_token, or a full URN.

${CONNECTION_HELP}`;

export function tokenCommand(argv: string[]): Promise<number> {
  return dispatch('token', argv, { inspect, exchange }, HELP, { decode: 'inspect' });
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
    'actor-mode': { type: 'string' },
    audience: { type: 'string' },
    resource: { type: 'string' },
    'requested-token-type': { type: 'string' },
    'show-secrets': { type: 'boolean' },
  });
  if (values.help) return help(HELP);
  positionalArgs(positionals, []);
  const subjectToken = secretArg(values['subject-token'], '--subject-token');
  if (!subjectToken) throw new UsageError('token exchange needs --subject-token TOKEN (or "-" to read it from stdin)');
  const actorMode = values['actor-mode'] ?? 'actor-token';
  if (actorMode !== 'actor-token' && actorMode !== 'client-auth') throw new UsageError('--actor-mode is actor-token or client-auth');
  const { out, settings } = commandContext(values);
  const uri = requireUri(settings);

  // The SDK's token-exchange provider, with the profile's session (or --actor-token) as the actor and the subject
  // as its fixed user: the token it would send is the exchanged one.
  const actorToken = secretArg(values['actor-token'], '--actor-token');
  const base: Record<string, string> = { ...settings.properties };
  let actorType = authTypeOf(settings);
  if (actorToken !== undefined) {
    for (const key of ['rest.auth.type', 'credential', 'token', 'rest.auth.api-key', 'api-key', 'rest.sigv4-enabled']) delete base[key];
    base['token'] = actorToken;
    actorType = 'bearer';
  }
  const properties: Record<string, string> = {
    ...base,
    'rest.auth.type': 'token-exchange',
    'rest.auth.token-exchange.subject-token': subjectToken,
    'rest.auth.token-exchange.actor-mode': actorMode,
    ...(actorType !== 'none' && actorType !== 'token-exchange' ? { 'rest.auth.token-exchange.actor-auth-type': actorType } : {}),
    ...(values['subject-token-type'] ? { 'rest.auth.token-exchange.subject-token-type': values['subject-token-type'] } : {}),
    ...(values['requested-token-type'] ? { 'rest.auth.token-exchange.requested-token-type': values['requested-token-type'] } : {}),
    ...(values.audience ? { audience: values.audience } : {}),
    ...(values.resource ? { resource: values.resource } : {}),
  };
  const endpoint = settings.properties['oauth2-server-uri'] ?? `${uri.replace(/\/+$/, '')}/v1/oauth/tokens`;
  const session = createAuthProvider(properties, { uri });
  const token = await out.progress('exchanging the token', () => bearerOf(session, endpoint));
  session.close?.();
  if (!token) throw new UsageError('the token-exchange provider produced no bearer token');
  let decoded: DecodedJwt | undefined;
  try {
    decoded = decodeJwtUnverified(token);
  } catch {
    decoded = undefined; // an opaque token: nothing to show but that it exists
  }
  const exp = typeof decoded?.claims['exp'] === 'number' ? (decoded.claims['exp'] as number) * 1000 : null;
  const show = values['show-secrets'] === true;
  const result = {
    endpoint,
    'actor-mode': actorMode,
    verified: false,
    'expires-at-ms': exp,
    claims: decoded?.claims ?? null,
    ...(show ? { access_token: token } : {}),
  };
  out.result(result, () =>
    [
      `Token exchanged at ${endpoint} (actor mode ${actorMode}).`,
      ...(exp !== null ? [`expires ${describeTime(exp)}`] : []),
      ...(decoded ? ['', 'claims (decoded, NOT verified):', claimLines(decoded.claims)] : ['(an opaque token: no claims to show)']),
      '',
      show ? `access token:\n${token}` : '(the token is not printed; --show-secrets prints it)',
    ].join('\n'),
  );
  return 0;
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
    Object.entries(claims).map(([k, v]): [string, unknown] => [
      k,
      (k === 'exp' || k === 'iat' || k === 'nbf' || k === 'auth_time') && typeof v === 'number' ? `${v}  ${describeTime(v * 1000)}` : v,
    ]),
    '  ',
  );
}

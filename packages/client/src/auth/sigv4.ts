/**
 * The `sigv4` provider: signs every request with AWS Signature Version 4 through `@lakegate/sigv4` (the signer
 * Lakegate's server verifies with, over one canonicalization, tested against the official AWS vectors), over the
 * exact body bytes that are sent (the payload hash is part of the signature), with credentials from the AWS default
 * chain (environment, shared files, SSO, process, container and instance metadata) unless given.
 *
 * It composes with a bearer delegate as Iceberg's SigV4 session does: the delegate authenticates first, and its
 * `Authorization` header moves to `Original-Authorization` (signed with the rest) because SigV4 needs `Authorization`
 * for itself. Lakegate's SigV4 authenticator identifies the caller by the access key alone and ignores
 * `Original-Authorization`; an AWS API Gateway in front of a catalog may pass it on.
 */
import { plusAsSpaceInQuery, signRequest } from '@lakegate/sigv4';
import { ConfigurationError } from '../errors.js';
import type { AuthProvider, OutgoingRequest } from './provider.js';
import { registerBuiltInAuthProvider } from './provider.js';

/**
 * AWS credentials (the shape of the AWS SDK's AwsCredentialIdentity).
 *
 * @example
 * ```ts
 * const credentials: AwsCredentials = { accessKeyId: process.env.AWS_ACCESS_KEY_ID!, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY! };
 * const auth = sigv4Auth({ region: 'us-east-1', credentials });
 * ```
 */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}

/**
 * Resolves (and may refresh) AWS credentials, as AWS SDK credential providers do.
 *
 * @example
 * ```ts
 * import { defaultProvider } from '@aws-sdk/credential-provider-node';
 * const credentials: AwsCredentialsProvider = defaultProvider({ profile: 'catalog' });
 * const auth = sigv4Auth({ region: 'us-east-1', credentials });
 * ```
 */
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

/**
 * Options of {@link sigv4Auth}.
 *
 * @example
 * ```ts
 * const options: SigV4AuthOptions = { region: 'eu-west-1', service: 'glue', delegate: bearerAuth(token) };
 * const catalog = new IcebergRestCatalog({ uri, auth: sigv4Auth(options) });
 * ```
 */
export interface SigV4AuthOptions {
  /** Signing region (`rest.signing-region`). */
  region: string;
  /** Signing name (`rest.signing-name`), default `execute-api`. */
  service?: string;
  /** Static credentials or a provider; default: the AWS default credential chain. */
  credentials?: AwsCredentials | AwsCredentialsProvider;
  /** A provider whose bearer token travels along in `Original-Authorization`. */
  delegate?: AuthProvider;
  /** The signing clock; injectable for tests. */
  now?: () => Date;
  /** Send and sign `x-amz-content-sha256` (the body's SHA-256), as AWS SDKs do; default true. */
  applyChecksum?: boolean;
}

/** The request headers SigV4 adds; only these are copied back onto the outgoing request. */
const SIGNATURE_HEADERS = ['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'];
const SCOPE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Signs requests with SigV4.
 *
 * @example
 * ```ts
 * const auth = sigv4Auth({ region: 'eu-central-1', service: 'execute-api' }); // AWS default credential chain
 * const catalog = new IcebergRestCatalog({ uri, auth });
 * ```
 */
export class SigV4Auth implements AuthProvider {
  readonly region: string;
  readonly service: string;
  private readonly credentials: AwsCredentials | AwsCredentialsProvider;
  private readonly delegate: AuthProvider | undefined;
  private readonly now: () => Date;
  private readonly applyChecksum: boolean;

  constructor(options: SigV4AuthOptions) {
    if (typeof options.region !== 'string' || !SCOPE_NAME.test(options.region)) {
      throw new ConfigurationError('auth provider "sigv4" needs a signing region: set rest.signing-region (or AWS_REGION)');
    }
    const service = options.service ?? 'execute-api';
    if (!SCOPE_NAME.test(service)) throw new ConfigurationError('auth provider "sigv4": rest.signing-name must be lowercase letters, digits and dashes');
    const credentials = options.credentials ?? defaultChain();
    if (typeof credentials !== 'function') checkCredentials(credentials);
    this.region = options.region;
    this.service = service;
    this.credentials = typeof credentials === 'function' ? credentials : { ...credentials };
    this.delegate = options.delegate;
    this.now = options.now ?? (() => new Date());
    this.applyChecksum = options.applyChecksum ?? true;
  }

  async authenticate(request: OutgoingRequest, signal?: AbortSignal): Promise<void> {
    if (this.delegate) {
      await this.delegate.authenticate(request, signal);
      const delegated = request.headers['authorization'];
      if (delegated !== undefined) {
        delete request.headers['authorization'];
        request.headers['original-authorization'] = delegated;
      }
    }
    const { url } = request;
    const credentials = typeof this.credentials === 'function' ? await this.credentials() : this.credentials;
    checkCredentials(credentials);
    // fetch sends Host from the URL; SigV4 must sign that same value. The target is the path and query as they go on
    // the wire (still percent-encoded), with "+" in the query read as a space, as the catalog reads it.
    const headers: Record<string, string> = { ...request.headers, host: url.host };
    for (const name of SIGNATURE_HEADERS) delete headers[name];
    const signed = await signRequest(
      {
        method: request.method,
        url: plusAsSpaceInQuery(`${url.pathname}${url.search}`),
        headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
      },
      {
        service: this.service,
        region: this.region,
        credentials: {
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: credentials.secretAccessKey,
          ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
        },
        signingDate: this.now(),
        uriEscapePath: true,
        applyChecksum: this.applyChecksum,
      },
    );
    for (const name of SIGNATURE_HEADERS) {
      const value = signed.headers[name];
      if (value !== undefined) request.headers[name] = value;
    }
  }

  async invalidate(): Promise<boolean> {
    // A refused signature is not cured by signing again; a refused delegate token may be.
    return this.delegate?.invalidate ? await this.delegate.invalidate() : false;
  }

  close(): void {
    this.delegate?.close?.();
  }
}

function checkCredentials(c: AwsCredentials): void {
  if (!c || typeof c.accessKeyId !== 'string' || c.accessKeyId === '' || typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '') {
    throw new ConfigurationError('auth provider "sigv4": credentials need an access key id and a secret access key');
  }
}

/** The AWS default credential chain, loaded on first use so that importing the SDK stays light. */
function defaultChain(): AwsCredentialsProvider {
  let chain: Promise<AwsCredentialsProvider> | undefined;
  return async () => {
    chain ??= import('@aws-sdk/credential-provider-node').then((m) => m.defaultProvider());
    return (await chain)();
  };
}

/**
 * Builds a {@link SigV4Auth}; throws {@link ConfigurationError} for a missing region or invalid options.
 *
 * @example
 * ```ts
 * const auth = sigv4Auth({ region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, delegate: bearerAuth(token) });
 * ```
 */
export function sigv4Auth(options: SigV4AuthOptions): SigV4Auth {
  return new SigV4Auth(options);
}

/**
 * Reads Iceberg's SigV4 properties: `rest.signing-region` (else `AWS_REGION` / `AWS_DEFAULT_REGION`),
 * `rest.signing-name` (default `execute-api`), optional static `rest.access-key-id` / `rest.secret-access-key` /
 * `rest.session-token` (else the AWS default chain), and `rest.auth.sigv4.delegate-auth-type` (default: `oauth2`
 * when `credential` is set, `bearer` when `token` is, else no delegate).
 *
 * @example
 * ```ts
 * createAuthProvider({ 'rest.sigv4-enabled': 'true', 'rest.signing-region': 'eu-west-1' });
 * ```
 */
export function sigv4AuthFromProperties(
  properties: Readonly<Record<string, string>>,
  options: { create?: (name: string, properties?: Readonly<Record<string, string>>) => AuthProvider; env?: NodeJS.ProcessEnv } = {},
): SigV4Auth {
  const env = options.env ?? process.env;
  const region = properties['rest.signing-region'] || env['AWS_REGION'] || env['AWS_DEFAULT_REGION'];
  if (!region) throw new ConfigurationError('auth provider "sigv4" needs a signing region: set rest.signing-region (or AWS_REGION)');
  const accessKeyId = properties['rest.access-key-id'];
  const secretAccessKey = properties['rest.secret-access-key'];
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigurationError('auth provider "sigv4": rest.access-key-id and rest.secret-access-key go together');
  }
  const sessionToken = properties['rest.session-token'];
  const explicit = properties['rest.auth.sigv4.delegate-auth-type']?.trim().toLowerCase();
  const delegateType = explicit || (properties['credential'] !== undefined ? 'oauth2' : properties['token'] !== undefined ? 'bearer' : 'none');
  if (delegateType === 'sigv4') throw new ConfigurationError('auth provider "sigv4": the delegate cannot be sigv4 itself');
  let delegate: AuthProvider | undefined;
  if (delegateType !== 'none') {
    if (!options.create) throw new ConfigurationError('auth provider "sigv4": a delegate needs the provider registry');
    // The delegate reads the same properties but must not see itself asked for as sigv4.
    const { 'rest.sigv4-enabled': _sigv4, ...rest } = properties;
    delegate = options.create(delegateType, { ...rest, 'rest.auth.type': delegateType });
  }
  return new SigV4Auth({
    region,
    ...(properties['rest.signing-name'] ? { service: properties['rest.signing-name'] } : {}),
    ...(accessKeyId !== undefined ? { credentials: { accessKeyId, secretAccessKey: secretAccessKey!, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    ...(delegate ? { delegate } : {}),
  });
}

registerBuiltInAuthProvider('sigv4', ({ properties, create }) => sigv4AuthFromProperties(properties, { create }));

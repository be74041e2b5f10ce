/**
 * S3 credential vending through STS AssumeRole with an inline session policy
 * (s3-session-policy.ts). The vended credential can do no more than both the
 * parent identity and the session policy allow, so its scope is the table
 * prefix whatever the parent may do. Works against AWS STS and against
 * MinIO, whose STS is its S3 endpoint and ignores the role ARN.
 * STS failures surface as ERR_UNAVAILABLE with a fixed message: neither the
 * parent's keys nor the policy ever appear in an error.
 */
import { AssumeRoleCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { CatalogError, validation } from '../../errors/catalog-error.js';
import type { CredentialVendor, VendedCredential, VendRequest } from '../vending.js';
import { checkLifetimeBound } from '../vending.js';
import { parseS3Location } from './s3-location.js';
import { sessionPolicyFor } from './s3-session-policy.js';

/** STS's bounds for DurationSeconds (AWS and MinIO alike). */
export const MIN_STS_LIFETIME_SECONDS = 900;
export const MAX_STS_LIFETIME_SECONDS = 43_200;

export interface S3CredentialVendorOptions {
  /** The profile's bucket: the only one credentials are vended for, whatever the caller asks. */
  bucket: string;
  /** STS endpoint, e.g. http://127.0.0.1:9000 for MinIO; omit for AWS's regional STS. */
  stsEndpoint?: string;
  /** Role to assume: required by AWS, ignored by MinIO. */
  roleArn?: string;
  /** sts:ExternalId the role's trust policy may demand. */
  externalId?: string;
  region: string;
  /** Endpoint clients should use for S3 (the `s3.endpoint` property); omit for AWS. */
  s3Endpoint?: string;
  /** Whether clients should use path-style addressing (the `s3.path-style-access` property). */
  pathStyle: boolean;
  /** Upper bound of a credential's lifetime in seconds (900..43200; the role's own maximum may be lower). */
  maxLifetimeSeconds: number;
  /** The long-term identity that calls AssumeRole; omit to use the AWS SDK's default provider chain. */
  credentials?: STSClientConfig['credentials'];
  /** A ready client (tests); stsEndpoint, region and credentials are then ignored. */
  client?: STSClient;
}

export class S3CredentialVendor implements CredentialVendor {
  private readonly client: STSClient;

  constructor(private readonly options: S3CredentialVendorOptions) {
    checkLifetimeBound(options.maxLifetimeSeconds, MIN_STS_LIFETIME_SECONDS, MAX_STS_LIFETIME_SECONDS);
    this.client =
      options.client ??
      new STSClient({
        region: options.region,
        ...(options.stsEndpoint ? { endpoint: options.stsEndpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
      });
  }

  async vend(request: VendRequest): Promise<VendedCredential> {
    // validate
    if (!Number.isFinite(request.lifetimeSeconds) || request.lifetimeSeconds <= 0) throw new TypeError('lifetimeSeconds must be a positive number');
    const location = parseS3Location(request.location);
    // Defence in depth below the catalog's location checks: never a session policy on another bucket.
    if (location.bucket !== this.options.bucket) throw validation(`location ${request.location} is not in bucket ${this.options.bucket}`);
    const policy = sessionPolicyFor(location, request.mode, request.sealed);
    const durationSeconds = stsDuration(request.lifetimeSeconds, this.options.maxLifetimeSeconds);

    // execute
    let out;
    try {
      out = await this.client.send(
        new AssumeRoleCommand({
          RoleArn: this.options.roleArn,
          RoleSessionName: roleSessionName(request.principal),
          DurationSeconds: durationSeconds,
          Policy: policy,
          ...(this.options.externalId ? { ExternalId: this.options.externalId } : {}),
        }),
      );
    } catch (e) {
      throw unavailable(e);
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !(c.Expiration instanceof Date)) {
      throw unavailable(new Error('AssumeRole returned no complete credentials'));
    }
    const expiresAtMs = c.Expiration.getTime();
    const config: Record<string, string> = {
      's3.access-key-id': c.AccessKeyId,
      's3.secret-access-key': c.SecretAccessKey,
      's3.session-token': c.SessionToken,
      's3.session-token-expires-at-ms': String(expiresAtMs),
      ...(this.options.s3Endpoint ? { 's3.endpoint': this.options.s3Endpoint } : {}),
      's3.path-style-access': String(this.options.pathStyle),
      'client.region': this.options.region,
      // PyIceberg reads s3.region; Iceberg Java reads client.region.
      's3.region': this.options.region,
    };
    return { prefix: request.location, config, expiresAtMs };
  }

  /** Releases the client's sockets. */
  close(): void {
    this.client.destroy();
  }
}

/** The requested lifetime, capped at the configured maximum; STS cannot go below 900 s. */
export function stsDuration(requestedSeconds: number, maxSeconds: number): number {
  return Math.max(MIN_STS_LIFETIME_SECONDS, Math.min(Math.floor(requestedSeconds), maxSeconds));
}

/** STS RoleSessionName: 2..64 characters of [\w+=,.@-]; the principal as far as it fits, for the audit trail. */
export function roleSessionName(principal: string): string {
  const sanitized = principal.replace(/[^\w+=,.@-]/g, '-');
  const name = sanitized.length >= 2 ? sanitized : `lakegate-${sanitized}`;
  return name.slice(0, 64);
}

/**
 * The one error a failed AssumeRole becomes. The cause keeps the STS error's name, message and
 * HTTP status, but none of the SDK error's other fields (they may echo the request).
 */
function unavailable(e: unknown): CatalogError {
  const name = e instanceof Error ? e.name : 'Error';
  const status = (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  const cause = Object.assign(new Error(`${name}${status ? ` (HTTP ${status})` : ''}: ${e instanceof Error ? e.message : String(e)}`), { name });
  return new CatalogError('ERR_UNAVAILABLE', 'storage credential service unavailable', { cause });
}

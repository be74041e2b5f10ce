import { describe, expect, it } from 'vitest';
import { lanceStorageOptions, refreshOffsetOf } from './storage-options.js';

describe('lanceStorageOptions', () => {
  it('maps vended S3 FileIO properties to object_store options with the expiry', () => {
    const options = lanceStorageOptions({
      's3.access-key-id': 'AK',
      's3.secret-access-key': 'SK',
      's3.session-token': 'ST',
      's3.session-token-expires-at-ms': '1700000000000',
      's3.endpoint': 'http://127.0.0.1:9000',
      's3.path-style-access': 'true',
      'client.region': 'eu-west-1',
      'client.refresh-credentials-endpoint': 'v1/wh/namespaces/ns/tables/t/credentials',
    });
    expect(options).toEqual({
      aws_access_key_id: 'AK',
      aws_secret_access_key: 'SK',
      aws_session_token: 'ST',
      aws_endpoint: 'http://127.0.0.1:9000',
      aws_region: 'eu-west-1',
      allow_http: 'true',
      aws_virtual_hosted_style_request: 'false',
      expires_at_millis: '1700000000000',
      refresh_offset_millis: '60000',
    });
  });

  it('prefers s3.region, and keeps virtual-hosted requests and https as they are', () => {
    const options = lanceStorageOptions({
      's3.region': 'us-east-1',
      'client.region': 'x',
      's3.endpoint': 'https://s3.example',
      's3.path-style-access': 'false',
    });
    expect(options).toEqual({ aws_region: 'us-east-1', aws_endpoint: 'https://s3.example', aws_virtual_hosted_style_request: 'true' });
  });

  it('maps Azure SAS and GCS tokens, reporting the earliest expiry', () => {
    expect(
      lanceStorageOptions({
        'adls.sas-token.acct1.dfs.core.windows.net': 'sv=1&sig=x',
        'adls.sas-token-expires-at-ms.acct1.dfs.core.windows.net': '2000',
        'gcs.oauth2.token': 'ya29',
        'gcs.oauth2.token-expires-at': '1000',
      }),
    ).toEqual({
      azure_storage_account_name: 'acct1',
      azure_storage_sas_token: 'sv=1&sig=x',
      google_storage_token: 'ya29',
      expires_at_millis: '1000',
      refresh_offset_millis: '60000',
    });
  });

  it('gives nothing for storage that needs no credentials', () => {
    expect(lanceStorageOptions({})).toEqual({});
  });

  it("states the warehouse's lance.refresh-offset-millis when it is a decimal integer, else Lance's default", () => {
    expect(lanceStorageOptions({ 's3.session-token-expires-at-ms': '900000' }, refreshOffsetOf({ 'lance.refresh-offset-millis': '885000' }))).toEqual({
      expires_at_millis: '900000',
      refresh_offset_millis: '885000',
    });
    for (const bad of ['-1', '1e5', ' 5', '', '0x10']) expect(refreshOffsetOf({ 'lance.refresh-offset-millis': bad })).toBe(60_000);
    expect(refreshOffsetOf({})).toBe(60_000);
  });
});

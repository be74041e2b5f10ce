import { describe, expect, it } from 'vitest';
import { directoryPath, isAzureUri, parseAzureLocation } from './azure-location.js';

describe('parseAzureLocation', () => {
  it('splits container, account, host and path for abfss and wasbs', () => {
    expect(parseAzureLocation('abfss://lake@acct1.dfs.core.windows.net/wh/ns/t1')).toEqual({
      scheme: 'abfss',
      container: 'lake',
      account: 'acct1',
      host: 'acct1.dfs.core.windows.net',
      path: 'wh/ns/t1',
    });
    expect(parseAzureLocation('wasbs://my-data@acct1.blob.core.windows.net/a/b/')).toEqual({
      scheme: 'wasbs',
      container: 'my-data',
      account: 'acct1',
      host: 'acct1.blob.core.windows.net',
      path: 'a/b/',
    });
    expect(parseAzureLocation('ABFS://lake@Acct1.DFS.core.windows.net')).toMatchObject({
      scheme: 'abfs',
      account: 'acct1',
      host: 'acct1.dfs.core.windows.net',
      path: '',
    });
    expect(parseAzureLocation('abfss://lake@acct1.dfs.core.chinacloudapi.cn/')).toMatchObject({ host: 'acct1.dfs.core.chinacloudapi.cn', path: '' });
    expect(parseAzureLocation('abfss://lake@acct1.dfs.core.windows.net/x%20y')).toMatchObject({ path: 'x%20y' });
  });

  it.each([
    's3://bucket/x',
    'abfss://acct1.dfs.core.windows.net/x',
    'abfss://@acct1.dfs.core.windows.net/x',
    'abfss://Lake@acct1.dfs.core.windows.net/x',
    'abfss://la@acct1.dfs.core.windows.net/x',
    'abfss://la--ke@acct1.dfs.core.windows.net/x',
    'abfss://lake@ACCT_1.dfs.core.windows.net/x',
    'abfss://lake@ac.dfs.core.windows.net/x',
    'abfss://lake@acct1.blob.core.windows.net/x',
    'wasbs://lake@acct1.dfs.core.windows.net/x',
    'abfss://lake@acct1.dfs/x',
    'abfss://lake@acct1.dfs.core.windows.net//x',
    'abfss://lake@acct1.dfs.core.windows.net/a//b',
    'abfss://lake@acct1.dfs.core.windows.net/a?sig=x',
    'abfss://lake@acct1.dfs.core.windows.net/a\nb',
    `abfss://lake@acct1.dfs.core.windows.net/${'k'.repeat(1025)}`,
  ])('rejects %j with ERR_VALIDATION', (uri) => {
    expect(() => parseAzureLocation(uri)).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
  });

  it('recognises the schemes', () => {
    expect(isAzureUri('wasb://c@a.blob.core.windows.net/k')).toBe(true);
    expect(isAzureUri('s3://b/k')).toBe(false);
  });
});

describe('directoryPath', () => {
  it('ends a non-empty path with exactly one slash', () => {
    expect(directoryPath('wh/t1')).toBe('wh/t1/');
    expect(directoryPath('wh/t1//')).toBe('wh/t1/');
    expect(directoryPath('')).toBe('');
  });
});

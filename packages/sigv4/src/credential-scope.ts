/** The Credential value: AKID/yyyymmdd/region/service/aws4_request. */
import { malformed } from './errors.js';

export interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

export function parseCredential(value: string): Credential {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '' || !/^[\x21-\x7e]+$/.test(p))) {
    malformed('Credential must be <access key id>/<yyyymmdd>/<region>/<service>/aws4_request');
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (!/^\d{8}$/.test(date)) malformed('Credential date must be yyyymmdd');
  return { accessKeyId, date, region, service, terminator };
}

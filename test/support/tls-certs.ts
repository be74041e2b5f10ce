/**
 * A throwaway certificate authority and a server certificate it signed, for brokers that speak TLS in tests: made
 * with the openssl command line (Debian's openssl, which ca-certificates depends on), since Node can verify
 * certificates but not issue them. The server certificate names `localhost`, `broker.tls.test` and 127.0.0.1. A second, unrelated
 * authority is made too, for the checks that a certificate from the wrong authority is refused.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface TestCertificates {
  /** The authority's certificate (PEM): what a client trusts. */
  ca: string;
  /** Another authority's certificate (PEM), which signed nothing the servers use. */
  otherCa: string;
  /** The server's certificate and key files (PEM; the key unencrypted, PKCS#8). */
  certFile: string;
  keyFile: string;
  /** One file holding the key and then the certificate (Kafka's PEM keystore). */
  keystoreFile: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes the certificates in `dir` (which must exist). */
export function makeCertificates(dir: string): TestCertificates {
  for (const name of ['ca', 'other-ca']) {
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-subj',
      `/CN=Lakegate test ${name}`,
      '-days',
      '2',
    ]);
  }
  signLeaf(dir, 'server', '/CN=localhost', 'ca', 'subjectAltName = DNS:localhost, DNS:broker.tls.test, IP:127.0.0.1\nextendedKeyUsage = serverAuth\n');
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  writeFileSync(path.join(dir, 'keystore.pem'), read('server.p8.key') + read('server.pem'));
  return loadCertificates(dir);
}

/** The certificates makeCertificates made in `dir` earlier (e.g. those of the run's shared Kafka broker). */
export function loadCertificates(dir: string): TestCertificates {
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  return {
    ca: read('ca.pem'),
    otherCa: read('other-ca.pem'),
    certFile: path.join(dir, 'server.pem'),
    keyFile: path.join(dir, 'server.p8.key'),
    keystoreFile: path.join(dir, 'keystore.pem'),
  };
}

/** A client certificate (mutual TLS) and its key, both PEM text. */
export interface ClientCertificate {
  cert: string;
  key: string;
}

/**
 * A client certificate (CN=NAME, extendedKeyUsage clientAuth, EC P-256, valid 2 days) signed by `ca` or `other-ca` of
 * makeCertificates in the same `dir`; its key unencrypted PKCS#8, as federation-secret.tls-client-key takes it.
 */
export function makeClientCertificate(dir: string, name: string, issuer: 'ca' | 'other-ca'): ClientCertificate {
  signLeaf(dir, name, `/CN=${name}`, issuer, 'extendedKeyUsage = clientAuth\n');
  return { cert: readFileSync(path.join(dir, `${name}.pem`), 'utf8'), key: readFileSync(path.join(dir, `${name}.p8.key`), 'utf8') };
}

/**
 * A leaf certificate in `dir`: an EC P-256 key (NAME.key, and unencrypted PKCS#8 in NAME.p8.key, what Kafka's PEM
 * keystore and federation-secret.tls-client-key read), NAME.pem signed by ISSUER (ca or other-ca of makeCertificates)
 * for 2 days with the extensions EXT.
 */
function signLeaf(dir: string, name: string, subject: string, issuer: 'ca' | 'other-ca', ext: string): void {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${issuer}.pem`,
    '-CAkey',
    `${issuer}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
  openssl(dir, ['pkcs8', '-topk8', '-nocrypt', '-in', `${name}.key`, '-out', `${name}.p8.key`]);
}

/**
 * The settings of the two broker sinks (Kafka, NATS JetStream) and the one rule that checks them. A warehouse's sink
 * config is stored without secrets: a SASL password, a NATS password, token or creds file is sealed apart and handed
 * to the factory as `secret` (broker-sinks.ts). The validator names every problem it finds, with the field's path.
 * Multi-word keys are kebab-case, like the rest of the management API (`storage-profile`, a webhook's `timeout-ms`).
 */

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSinkConfig {
  kind: 'kafka';
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Every event of the warehouse goes to this topic; the message key is the event's partitionkey. */
  topic: string;
  'client-id'?: string;
  /** SASL over the connection; the password is the sink's secret. */
  sasl?: { mechanism: KafkaSaslMechanism; username: string };
  /** TLS to the brokers: `true` with the system's CAs, or a CA bundle (PEM) and server name. */
  tls?: boolean | { ca?: string; servername?: string };
  /** Ask the broker to create a missing topic (its auto.create.topics.enable decides). Default false: the topic must exist. */
  'auto-create-topic'?: boolean;
  /** Bound on one deliver(), in ms (default 10000, as the delivery loop assumes when it budgets its lease). */
  'timeout-ms'?: number;
}

export type NatsCredentials =
  /** user + password (the secret) */
  | { type: 'user-password'; user: string }
  /** a token (the secret) */
  | { type: 'token' }
  /** a creds file's content, JWT and NKey seed (the secret) */
  | { type: 'creds' };

export interface NatsSinkConfig {
  kind: 'nats';
  /** `nats://host:port`, `tls://host:port` or `host:port`. */
  servers: string[];
  /** The JetStream stream that must capture `<subject>.>`. */
  stream: string;
  /** Subject prefix: each event goes to `<subject>.<warehouse>.<partitionkey>`. */
  subject: string;
  /** Create the stream (capturing `<subject>.>`, file storage) when it is missing. Default true. */
  'create-stream'?: boolean;
  credentials?: NatsCredentials;
  /**
   * TLS to every server (as a `tls://` server requires it): `true` with the system's CAs, or a CA bundle (PEM) and the
   * name the certificates must carry (default: each server's host name).
   */
  tls?: boolean | { ca?: string; servername?: string };
  /** Bound on one deliver(), in ms (default 10000, as the delivery loop assumes when it budgets its lease). */
  'timeout-ms'?: number;
}

export type BrokerSinkConfig = KafkaSinkConfig | NatsSinkConfig;

export type BrokerConfigResult = { ok: true; config: BrokerSinkConfig } | { ok: false; errors: string[] };

const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
// NATS: a stream name may not hold whitespace, '.', '*', '>', path separators or control characters.
const NATS_STREAM = /^[^\s.*>/\\\x00-\x1f\x7f]{1,255}$/;
// A subject token: no whitespace, no '.', no wildcard.
const NATS_TOKEN = /^[^\s.*>\x00-\x1f\x7f]+$/;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const NATS_URL = /^(?:(nats|tls):\/\/)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const MAX_TIMEOUT_MS = 300_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const validPort = (p: string) => Number(p) >= 1 && Number(p) <= 65535;

/** Keys that would hold a secret: the config is stored in the clear, so a secret there is refused (set the sink secret). */
const SECRET_KEYS = ['password', 'pass', 'token', 'creds', 'secret', 'seed', 'nkey'];

function unknownKeys(obj: Record<string, unknown>, allowed: readonly string[], at: string, errors: string[]) {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    errors.push(
      SECRET_KEYS.includes(key.toLowerCase()) ? `${at}${key}: secrets are not part of the config (set the sink secret)` : `${at}${key}: unknown setting`,
    );
  }
}

function checkTimeout(v: unknown, errors: string[]) {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 100 || v > MAX_TIMEOUT_MS) {
    errors.push(`timeout-ms: must be an integer from 100 to ${MAX_TIMEOUT_MS}`);
  }
}

function checkList(v: unknown, name: string, item: (s: string) => boolean, expected: string, errors: string[]): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 32) {
    errors.push(`${name}: must be a list of 1 to 32 addresses (${expected})`);
    return [];
  }
  v.forEach((s, i) => {
    if (typeof s !== 'string' || !item(s)) errors.push(`${name}[${i}]: must be ${expected}`);
  });
  return v as string[];
}

/** `tls`: true, false, or {ca: a PEM bundle, servername}: the same for both brokers. */
function checkTls(tls: unknown, errors: string[]) {
  if (tls === undefined || typeof tls === 'boolean') return;
  if (!isObject(tls)) {
    errors.push('tls: must be true, false or {ca, servername}');
    return;
  }
  unknownKeys(tls, ['ca', 'servername'], 'tls.', errors);
  if (tls.ca !== undefined && (typeof tls.ca !== 'string' || !tls.ca.includes('-----BEGIN CERTIFICATE-----'))) {
    errors.push('tls.ca: must be a PEM certificate bundle');
  }
  if (tls.servername !== undefined && (typeof tls.servername !== 'string' || !/^[A-Za-z0-9.-]{1,253}$/.test(tls.servername))) {
    errors.push('tls.servername: must be a host name');
  }
}

function validateKafka(input: Record<string, unknown>, errors: string[]): void {
  unknownKeys(input, ['kind', 'brokers', 'topic', 'client-id', 'sasl', 'tls', 'auto-create-topic', 'timeout-ms'], '', errors);
  checkList(
    input.brokers,
    'brokers',
    (s) => {
      const m = HOST_PORT.exec(s);
      return !!m && validPort(m[2]!);
    },
    'host:port',
    errors,
  );
  const topic = input.topic;
  if (typeof topic !== 'string' || !KAFKA_TOPIC.test(topic) || topic === '.' || topic === '..') {
    errors.push('topic: must be 1 to 249 characters of A-Z a-z 0-9 . _ - (and not "." or "..")');
  }
  const clientId = input['client-id'];
  if (clientId !== undefined && (typeof clientId !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(clientId))) {
    errors.push('client-id: must be 1 to 100 characters of A-Z a-z 0-9 . _ -');
  }
  if (input.sasl !== undefined) {
    if (!isObject(input.sasl)) errors.push('sasl: must be an object {mechanism, username}');
    else {
      unknownKeys(input.sasl, ['mechanism', 'username'], 'sasl.', errors);
      if (!['plain', 'scram-sha-256', 'scram-sha-512'].includes(input.sasl.mechanism as string)) {
        errors.push('sasl.mechanism: must be plain, scram-sha-256 or scram-sha-512');
      }
      if (typeof input.sasl.username !== 'string' || input.sasl.username.length === 0) errors.push('sasl.username: must be a non-empty string');
    }
  }
  checkTls(input.tls, errors);
  if (input['auto-create-topic'] !== undefined && typeof input['auto-create-topic'] !== 'boolean') errors.push('auto-create-topic: must be a boolean');
  checkTimeout(input['timeout-ms'], errors);
}

function validateNats(input: Record<string, unknown>, errors: string[]): void {
  unknownKeys(input, ['kind', 'servers', 'stream', 'subject', 'create-stream', 'credentials', 'tls', 'timeout-ms'], '', errors);
  checkList(
    input.servers,
    'servers',
    (s) => {
      const m = NATS_URL.exec(s);
      return !!m && validPort(m[3]!);
    },
    'nats://host:port, tls://host:port or host:port',
    errors,
  );
  if (typeof input.stream !== 'string' || !NATS_STREAM.test(input.stream)) {
    errors.push('stream: must be 1 to 255 characters without whitespace, ".", "*", ">" or path separators');
  }
  const subject = input.subject;
  if (typeof subject !== 'string' || subject.length > 200 || !subject.split('.').every((t) => NATS_TOKEN.test(t))) {
    errors.push('subject: must be a subject prefix of dot-separated tokens, without wildcards or whitespace (at most 200 characters)');
  }
  if (input['create-stream'] !== undefined && typeof input['create-stream'] !== 'boolean') errors.push('create-stream: must be a boolean');
  if (input.credentials !== undefined) {
    const c = input.credentials;
    if (!isObject(c) || !['user-password', 'token', 'creds'].includes(c.type as string)) {
      errors.push('credentials: must be {type: "user-password", user}, {type: "token"} or {type: "creds"}');
    } else {
      unknownKeys(c, c.type === 'user-password' ? ['type', 'user'] : ['type'], 'credentials.', errors);
      if (c.type === 'user-password' && (typeof c.user !== 'string' || c.user.length === 0)) errors.push('credentials.user: must be a non-empty string');
    }
  }
  checkTls(input.tls, errors);
  checkTimeout(input['timeout-ms'], errors);
}

/** Checks a sink config of kind kafka or nats; `errors` names each bad field (never echoes a value, which could be a secret). */
export function validateBrokerSinkConfig(input: unknown): BrokerConfigResult {
  if (!isObject(input)) return { ok: false, errors: ['config: must be an object'] };
  const errors: string[] = [];
  if (input.kind === 'kafka') validateKafka(input, errors);
  else if (input.kind === 'nats') validateNats(input, errors);
  else return { ok: false, errors: ['kind: must be "kafka" or "nats"'] };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: input as unknown as BrokerSinkConfig };
}

/** The problems of a broker sink's config as the management API receives it (kind and config apart); empty when fine. */
export function brokerConfigErrors(kind: string, config: Record<string, unknown>): string[] {
  const checked = validateBrokerSinkConfig({ ...config, kind });
  return checked.ok ? [] : checked.errors;
}

import { describe, expect, it } from 'vitest';
import { createBrokerSink, validateBrokerSinkConfig } from './broker-sinks.js';
import { subjectToken } from './nats-sink.js';
import { SinkError } from './sink-error.js';

describe('broker sink configs', () => {
  it('names every bad field, in order, and never echoes a value', () => {
    const cases: Array<[unknown, RegExp[]]> = [
      [null, [/^config: must be an object/]],
      [{ kind: 'mqtt' }, [/^kind: must be "kafka" or "nats"/]],
      [{ kind: 'kafka', brokers: [], topic: 't' }, [/^brokers: must be a list/]],
      [{ kind: 'kafka', brokers: ['localhost'], topic: 'a topic' }, [/^brokers\[0\]: must be host:port/, /^topic: /]],
      [{ kind: 'kafka', brokers: ['h:99999'], topic: '..' }, [/^brokers\[0\]/, /^topic: /]],
      [
        { kind: 'kafka', brokers: ['h:9092'], topic: 't', sasl: { mechanism: 'gssapi', username: '', password: 'hunter2-secret' } },
        [/^sasl\.password: secrets are not part of the config/, /^sasl\.mechanism/, /^sasl\.username/],
      ],
      [{ kind: 'kafka', brokers: ['h:9092'], topic: 't', tls: { ca: 'not a pem' } }, [/^tls\.ca: must be a PEM/]],
      [{ kind: 'kafka', brokers: ['h:9092'], topic: 't', tls: { servername: 'a b' } }, [/^tls\.servername: must be a host name/]],
      [{ kind: 'kafka', brokers: ['h:9092'], topic: 't', tls: 'yes' }, [/^tls: must be true, false or \{ca, servername\}/]],
      [{ kind: 'kafka', brokers: ['h:9092'], topic: 't', 'timeout-ms': 5 }, [/^timeout-ms/]],
      [{ kind: 'kafka', brokers: ['h:9092'], topic: 't', partitions: 3 }, [/^partitions: unknown setting/]],
      [{ kind: 'nats', servers: ['http://h:4222'], stream: 'a.b', subject: 'x.*' }, [/^servers\[0\]/, /^stream: /, /^subject: /]],
      [{ kind: 'nats', servers: ['nats://h:4222'], stream: 'S', subject: 'x..y' }, [/^subject: /]],
      [
        { kind: 'nats', servers: ['tls://h:4222'], stream: 'S', subject: 'x', tls: { ca: 'not a pem', key: 'hunter2-key' } },
        [/^tls\.key: unknown setting/, /^tls\.ca: must be a PEM/],
      ],
      [{ kind: 'nats', servers: ['nats://h:4222'], stream: 'S', subject: 'x.>' }, [/^subject: /]],
      [{ kind: 'nats', servers: ['h:4222'], stream: 'S', subject: 'x', credentials: { type: 'nkey' } }, [/^credentials: /]],
      [
        { kind: 'nats', servers: ['h:4222'], stream: 'S', subject: 'x', credentials: { type: 'token', token: 'hunter2-token' } },
        [/^credentials\.token: secrets are not part of the config/],
      ],
    ];
    for (const [config, patterns] of cases) {
      const result = validateBrokerSinkConfig(config);
      expect(result.ok, JSON.stringify(config)).toBe(false);
      if (result.ok) continue;
      expect(result.errors, JSON.stringify(config)).toHaveLength(patterns.length);
      patterns.forEach((p, i) => expect(result.errors[i]).toMatch(p));
      expect(result.errors.join(' ')).not.toContain('hunter2');
    }
  });

  it('accepts the documented shapes', () => {
    expect(validateBrokerSinkConfig({ kind: 'kafka', brokers: ['127.0.0.1:9092', '[::1]:9093', 'kafka-0.internal:9094'], topic: 'lake.events' }).ok).toBe(true);
    expect(
      validateBrokerSinkConfig({
        kind: 'kafka',
        brokers: ['b:9093'],
        topic: 't',
        'client-id': 'lg',
        sasl: { mechanism: 'scram-sha-512', username: 'u' },
        tls: true,
        'auto-create-topic': true,
        'timeout-ms': 20_000,
      }).ok,
    ).toBe(true);
    expect(
      validateBrokerSinkConfig({
        kind: 'nats',
        servers: ['tls://nats.example.com:4222', '127.0.0.1:4222'],
        stream: 'EVENTS',
        subject: 'lake.events',
        'create-stream': false,
        credentials: { type: 'user-password', user: 'lg' },
      }).ok,
    ).toBe(true);
    const ca = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    expect(
      validateBrokerSinkConfig({
        kind: 'nats',
        servers: ['nats.internal:4222'],
        stream: 'EVENTS',
        subject: 'lake.events',
        tls: { ca, servername: 'nats.internal' },
      }).ok,
    ).toBe(true);
    expect(validateBrokerSinkConfig({ kind: 'nats', servers: ['nats.internal:4222'], stream: 'EVENTS', subject: 'lake.events', tls: true }).ok).toBe(true);
  });

  it('createBrokerSink refuses a bad config, and a credential without its secret', () => {
    const err = (() => {
      try {
        createBrokerSink({ kind: 'kafka', brokers: 'h:9092', topic: 't' }, { warehouse: 'w' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SinkError);
    expect((err as SinkError).code).toBe('ERR_SINK_CONFIG');
    expect((err as SinkError).message).toMatch(/^kafka sink: bad config: brokers: must be a list/);
    expect(() => createBrokerSink({ kind: 'kafka', brokers: ['h:9092'], topic: 't', sasl: { mechanism: 'plain', username: 'u' } }, { warehouse: 'w' })).toThrow(
      /no secret/,
    );
    expect(() =>
      createBrokerSink({ kind: 'nats', servers: ['h:4222'], stream: 'S', subject: 'x', credentials: { type: 'token' } }, { warehouse: 'w' }),
    ).toThrow(/need the sink's secret/);
    expect(createBrokerSink({ kind: 'nats', servers: ['h:4222'], stream: 'S', subject: 'x' }, { warehouse: 'w' }).kind).toBe('nats');
  });

  it('escapes subject tokens so a warehouse name cannot split or widen the subject', () => {
    expect(subjectToken('lake')).toBe('lake');
    expect(subjectToken('1b4e28ba-2fa1-11d2-883f-0016d3cca427')).toBe('1b4e28ba-2fa1-11d2-883f-0016d3cca427');
    expect(subjectToken('a.b')).toBe('a%2Eb');
    expect(subjectToken('a*>b c')).toBe('a%2A%3Eb%20c');
  });
});

describe('broker sinks as the management API stores them (kind and config apart)', () => {
  it('brokerConfigErrors checks the config under its kind; brokerSinkFor builds the sink', async () => {
    const { brokerConfigErrors, brokerSinkFor } = await import('./broker-sinks.js');
    expect(brokerConfigErrors('kafka', { brokers: ['h:9092'], topic: 't' })).toEqual([]);
    expect(brokerConfigErrors('nats', { servers: ['h:4222'], stream: 'S' })).toEqual([expect.stringMatching(/^subject: /)]);
    // A config cannot smuggle another kind in.
    expect(brokerConfigErrors('kafka', { kind: 'nats', brokers: ['h:9092'], topic: 't' })).toEqual([]);
    const sink = brokerSinkFor({ kind: 'kafka', warehouse: 'lake', config: { kind: 'nats', brokers: ['h:9092'], topic: 't' } }, undefined);
    expect(sink.kind).toBe('kafka');
    await sink.close();
  });
});

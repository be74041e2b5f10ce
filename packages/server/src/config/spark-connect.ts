/**
 * The Spark executor's Spark Connect URL (`sparkConnect`), checked at startup as PySpark's Connect client parses it
 * (pyspark/sql/connect/client/core.py, DefaultChannelBuilder), so a bad URL is a ConfigError naming what is wrong,
 * not each job's failure later:
 *
 *   sc://host[:port][/][;name=value]...
 *
 * `token` (the server's bearer token; PySpark then uses TLS, or gRPC's local credentials for host `localhost`),
 * `use_ssl` (true or false), `user_id` and `user_agent` are Spark Connect's parameters; any other name is sent as a
 * gRPC header, as PySpark does. `session_id` is refused: every job opens a session of its own. No message here
 * repeats a parameter's value (the token is a credential).
 */

export interface SparkConnectUrl {
  host: string;
  /** The port given, else Spark Connect's 15002. */
  port: number;
  /** Whether the URL carries a token (its value is not kept here). */
  token: boolean;
  /** The URL's parameter values that are credentials, to remove from a job's failure message. */
  secrets: string[];
}

const DEFAULT_PORT = 15002;
const KNOWN = new Set(['token', 'use_ssl', 'user_id', 'user_agent']);

/** The URL parsed; throws an Error whose message never holds a parameter's value. */
export function parseSparkConnectUrl(url: string): SparkConnectUrl {
  if (!url.startsWith('sc://')) throw new Error('sparkConnect must be a Spark Connect URL sc://host[:port][/;token=…] (it does not start with sc://)');
  const rest = url.slice('sc://'.length);
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const tail = slash < 0 ? '' : rest.slice(slash + 1);
  // As PySpark reads it (urllib's urlparse): the parameters are the path's, after "/;"; any other path is refused.
  if (tail !== '' && !tail.startsWith(';'))
    throw new Error('sparkConnect: a Spark Connect URL has no path, only parameters after "/;" (sc://host:port/;name=value)');
  if (/[?#]/.test(tail)) throw new Error('sparkConnect: a Spark Connect URL has no query nor fragment (sc://host:port/;name=value)');
  const params = tail.slice(1);
  if (authority.includes('@')) throw new Error('sparkConnect: a Spark Connect URL carries no user info (use ;token=…)');
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!m) throw new Error('sparkConnect: the URL needs a host, and a port of digits if any (sc://host:port)');
  const port = m[2] === undefined ? DEFAULT_PORT : Number(m[2]);
  if (port < 1 || port > 65535) throw new Error('sparkConnect: the port must be from 1 to 65535');
  let token = false;
  const secrets: string[] = [];
  const seen = new Set<string>();
  for (const p of params === '' ? [] : params.split(';')) {
    const kv = p.split('=');
    if (kv.length !== 2 || kv[0] === '') throw new Error('sparkConnect: each parameter after ";" is name=value');
    const [name, raw] = kv as [string, string];
    if (seen.has(name)) throw new Error(`sparkConnect: the parameter ${name} is given twice`);
    seen.add(name);
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      throw new Error(`sparkConnect: the value of ${name} is not well percent-encoded`);
    }
    if (name === 'session_id') throw new Error('sparkConnect: session_id is not taken: every compaction job opens a Spark Connect session of its own');
    if (name === 'use_ssl' && value !== 'true' && value !== 'false') throw new Error('sparkConnect: use_ssl must be true or false');
    if (name === 'token') {
      if (value === '') throw new Error('sparkConnect: token is empty');
      token = true;
      secrets.push(value, raw);
    }
    if (!KNOWN.has(name) && !/^[a-z0-9_-]+$/i.test(name))
      throw new Error(`sparkConnect: a parameter name other than ${[...KNOWN].join(', ')} is a gRPC header: letters, digits, _ and - only`);
  }
  return { host: m[1]!, port, token, secrets: [...new Set(secrets)] };
}

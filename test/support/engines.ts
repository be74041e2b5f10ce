/**
 * Engine principals of the policy-enforcement tests (view-policies, policy-enforcers, trino-opa): made through the
 * management API with a delegation policy, given an API key as Trino's OPA plugin uses, acting for a user as Trino's
 * USER mode does, and asking Trino's OPA decision endpoints as the plugin does.
 */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from './iceberg-http.js';
import { bearerSender } from './inject.js';
import { ACCESS_TOKEN_TYPE, JWT_TYPE, TOKEN_EXCHANGE, bearer, clientToken, oauthPost, unsignedJwt } from './oauth.js';

export interface Engine {
  clientId: string;
  secret: string;
}

/** Creates principal `name` (with `delegation`, the users it may act for, when given); fails the test unless created. */
export async function createEngine(admin: Send, name: string, delegation?: unknown): Promise<Engine> {
  const res = await admin('POST', '/management/v1/principals', { name, ...(delegation ? { delegation } : {}) });
  expect(res.status, stringifyJson(res.body)).toBe(201);
  return { clientId: res.body['client-id'] as string, secret: res.body['client-secret'] as string };
}

/** createEngine, then an API key for it (named `opa`); fails the test unless one is made. */
export async function engineWithKey(admin: Send, name: string, delegation?: unknown): Promise<Engine & { key: string }> {
  const engine = await createEngine(admin, name, delegation);
  const key = await admin('POST', `/management/v1/principals/${engine.clientId}/api-keys`, { name: 'opa' });
  expect(key.status, stringifyJson(key.body)).toBe(201);
  return { ...engine, key: key.body['api-key'] as string };
}

/** A user session through an engine, as Trino's USER mode makes it (an unsigned JWT naming the user, the engine's token as actor). */
export async function userViaEngine(app: FastifyInstance, engine: Engine, user: string): Promise<Send> {
  const engineToken = (await clientToken(app, engine.clientId, engine.secret)).access_token;
  const res = await oauthPost(
    app,
    {
      grant_type: TOKEN_EXCHANGE,
      subject_token: unsignedJwt(user),
      subject_token_type: JWT_TYPE,
      actor_token: engineToken,
      actor_token_type: ACCESS_TOKEN_TYPE,
    },
    bearer(engineToken),
  );
  expect(res.status, stringifyJson(res.body)).toBe(200);
  return bearerSender(app, res.body.access_token as string);
}

/** A decision request's body as Trino 476's OPA plugin sends it, for `user` (Trino's groups: `groups`). */
export const opaInput = (user: string, action: Record<string, unknown>, groups: string[] = []) => ({
  input: { context: { identity: { user, groups }, softwareStack: { trinoVersion: '476' } }, action },
});

/**
 * POSTs a decision request to Trino's OPA endpoint `path` as Trino 476's plugin does, the API key `key` in the URI,
 * for `user` (Trino's groups: `groups`); fails the test unless answered 200; returns the decision.
 */
export async function askOpa(anon: Send, key: string, path: string, user: string, action: Record<string, unknown>, groups: string[] = []): Promise<any> {
  const res = await anon('POST', `/management/v1/trino-opa/${path}?api-key=${encodeURIComponent(key)}`, opaInput(user, action, groups));
  expect(res.status, stringifyJson(res.body)).toBe(200);
  return res.body.result;
}

/**
 * The shapes a federated warehouse's settings and secret are taken in (protocol FederationSettings and
 * FederationSecret; settings.ts and settings-hive.ts check what they mean). Unknown fields are refused.
 */
import { z } from 'zod';

export const FederationInput = z
  .object({
    kind: z.enum(['iceberg-rest', 'glue', 'hive']),
    uri: z.string().optional(),
    region: z
      .string()
      .regex(/^[a-z0-9-]{1,50}$/)
      .optional(),
    'catalog-id': z
      .string()
      .regex(/^[0-9A-Za-z:_-]{1,255}$/)
      .optional(),
    'access-key-id': z.string().min(1).max(128).optional(),
    warehouse: z.string().min(1).max(1000).optional(),
    'oauth2-server-uri': z.string().optional(),
    'client-id': z.string().min(1).max(1000).optional(),
    scope: z.string().max(1000).optional(),
    'timeout-ms': z.number().int().min(100).max(120_000).optional(),
    'max-staleness-ms': z.number().int().min(0).max(3_600_000).optional(),
    'lock-enabled': z.boolean().optional(),
    'lock-timeout-ms': z.number().int().min(100).max(120_000).optional(),
    tls: z.boolean().optional(),
    'tls-ca': z.string().max(200_000).optional(),
    'tls-server-name': z.string().max(253).optional(),
    'tls-client-cert': z.string().max(200_000).optional(),
    auth: z.enum(['none', 'password', 'kerberos']).optional(),
    username: z.string().min(1).max(256).optional(),
    'kerberos-principal': z.string().min(1).max(500).optional(),
  })
  .strict();

export const FederationSecretInput = z
  .object({
    'client-secret': z.string().min(1).max(10_000).optional(),
    token: z.string().min(1).max(100_000).optional(),
    'secret-access-key': z.string().min(1).max(1000).optional(),
    'session-token': z.string().min(1).max(10_000).optional(),
    'tls-client-key': z.string().min(1).max(100_000).optional(),
    password: z.string().min(1).max(10_000).optional(),
  })
  .strict();

export type FederationInputValue = z.infer<typeof FederationInput>;
export type FederationSecretValue = z.infer<typeof FederationSecretInput>;

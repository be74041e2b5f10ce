/** OpenFGA adapter: under construction (not wired into any test or default yet). */
import { ConfigError } from '../../../config/config.js';
import type { AccessControl, Authorizer } from '../../../catalog/access/ports.js';
import type { Clock } from '../../../catalog/ports.js';

export abstract class OpenFgaAccess implements Partial<AccessControl & Authorizer> {
  static async connect(_options: { url: string; storeId: string; token: string; clock: Clock }): Promise<AccessControl & Authorizer> {
    throw new ConfigError('the openfga authorizer is not available in this build');
  }
}

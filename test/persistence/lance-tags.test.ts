/** The LanceTagStore contract against the in-memory reference (the LanceDB adapter: test/http/lance-tags-port.test.ts). */
import { MemoryLanceTagStore } from '../../packages/server/src/catalog/ports/lance-tags.js';
import { lanceTagStoreContract } from './lance-tags-contract.js';

const target = {
  warehouse: 'lake',
  namespace: ['ns'],
  name: 't',
  actor: { tenant: 't', description: 'test', key: 'test', members: [], admin: true, unrestricted: true },
};

lanceTagStoreContract('memory', async () => ({ store: new MemoryLanceTagStore(() => [1, 2]), target }));

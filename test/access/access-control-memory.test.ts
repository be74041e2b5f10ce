/** The AccessControl contract against the in-memory reference adapter. */
import { MemoryAccessControl } from '../../packages/server/src/persistence/memory/memory-access-control.js';
import { accessControlContract } from './access-control-contract.js';

accessControlContract('memory', async () => ({ control: new MemoryAccessControl() }));

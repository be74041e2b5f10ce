/**
 * Holds a Lance commit the catalog runs (its own CreateTableVersion, through LanceDB on the private loopback namespace)
 * until another writer's change has landed, deterministically and without sleeps: the catalog's version service is
 * wrapped where the routes hold it (the loopback surface's and the public one's), and each picked call first runs
 * `other` to its end, then goes on, so the catalog answers it 409 and Lance decides what to do with the lost race.
 */
import type { CatalogRequest } from '../../packages/server/src/catalog/context.js';
import type { CreateVersionInput } from '../../packages/server/src/catalog/lance/versions/version-service.js';
import type { TestCatalog } from './in-process.js';

/** Holds the CreateTableVersion calls `holds` picks (at most `times` of them): before each goes on, `other` runs to its end. */
export async function holding<T>(
  cat: TestCatalog,
  holds: (request: CatalogRequest) => boolean,
  other: (input: CreateVersionInput) => Promise<unknown>,
  work: () => Promise<T>,
  times = 1,
): Promise<{ result: T; held: number }> {
  const service = cat.lakegate.services.lance.versions;
  const create = service.create;
  let held = 0;
  let busy = false;
  service.create = async function (this: typeof service, request, id, input) {
    if (!busy && held < times && holds(request)) {
      held += 1;
      busy = true;
      try {
        await other(input);
      } finally {
        busy = false;
      }
    }
    return create.call(this, request, id, input);
  };
  try {
    return { result: await work(), held };
  } finally {
    service.create = create;
  }
}

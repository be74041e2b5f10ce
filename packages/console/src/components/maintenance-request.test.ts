import { describe, expect, it } from 'vitest';
import { maintenanceRequest, strategyHint } from './maintenance-request';

describe('console maintenance requests', () => {
  it('sends expiry and orphan removal as before', () => {
    expect(maintenanceRequest('expire', { olderThanDays: 3, strategy: 'sort' })).toEqual({ actions: ['expire-snapshots'] });
    expect(maintenanceRequest('orphans-dry-run', { olderThanDays: 3, strategy: 'sort' })).toEqual({
      actions: ['remove-orphan-files'],
      'dry-run': true,
      'orphan-older-than-ms': 3 * 86_400_000,
    });
    expect(maintenanceRequest('orphans', { olderThanDays: 0.5, strategy: 'default' })).toEqual({
      actions: ['remove-orphan-files'],
      'dry-run': false,
      'orphan-older-than-ms': 43_200_000,
    });
  });

  it('sends compaction with the strategy chosen, and none for the table default (the server decides)', () => {
    expect(maintenanceRequest('compact', { olderThanDays: 3, strategy: 'default' })).toEqual({ actions: ['rewrite-data-files'] });
    expect(maintenanceRequest('compact', { olderThanDays: 3, strategy: 'sort' })).toEqual({ actions: ['rewrite-data-files'], strategy: 'sort' });
    expect(maintenanceRequest('compact-dry-run', { olderThanDays: 3, strategy: 'binpack' })).toEqual({
      actions: ['rewrite-data-files'],
      'dry-run': true,
      strategy: 'binpack',
    });
  });

  it("says which order the rows will be in, by the table's default sort order", () => {
    expect(strategyHint('sort', 'identity(id) desc nulls-last')).toContain('identity(id) desc nulls-last');
    expect(strategyHint('sort', undefined)).toMatch(/no default sort order: the server refuses sort/);
    expect(strategyHint('default', undefined)).toMatch(/bin-packs/);
    expect(strategyHint('default', 'identity(id) asc nulls-first')).toMatch(/sorts by the table's default sort order \(identity\(id\) asc nulls-first\)/);
    expect(strategyHint('binpack', 'identity(id) asc nulls-first')).toMatch(/keep the small files' order/);
  });
});

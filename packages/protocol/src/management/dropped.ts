/**
 * Soft-deleted (dropped) objects of a warehouse, kept for its `drop.retention-ms` (default 7 days), and restoring
 * one (undrop). See docs/architecture.md (maintenance) and docs/authorization.md (warehouse:list-dropped, warehouse:undrop).
 */
import { type Static, Type } from '@sinclair/typebox';
import { CompactionThresholdFields } from './compaction-thresholds.js';

export const DroppedObject = Type.Object(
  {
    id: Type.String({ description: 'The catalog id of the object (kept by an undrop, with the grants that name it)' }),
    kind: Type.Union([Type.Literal('table'), Type.Literal('view'), Type.Literal('lance-table'), Type.Literal('namespace')], {
      description: 'A namespace is one a cascading drop took: its undrop restores it, its properties and grants, and everything that drop took under it',
    }),
    namespace: Type.Array(Type.String(), { description: "For a namespace: its parent's levels" }),
    name: Type.String({ description: 'For a namespace: its last level' }),
    location: Type.String({ description: "For a namespace: its location property, else its directory under the warehouse's storage root" }),
    'dropped-at-ms': Type.Integer(),
    'expires-at-ms': Type.Integer({ description: 'When the retention ends: the object is forgotten then (and its files deleted when `purge`)' }),
    purge: Type.Boolean({ description: 'Whether its files are deleted when the retention ends' }),
    'dropped-by': Type.String(),
    'dropped-with': Type.Optional(
      Type.String({ description: 'The id of the dropped namespace whose cascading drop took this one: undropping that namespace restores this one too' }),
    ),
  },
  { $id: 'DroppedObject' },
);
export type DroppedObject = Static<typeof DroppedObject>;

export const ListDroppedObjectsResponse = Type.Object(
  { dropped: Type.Array(Type.Ref(DroppedObject)), 'next-page-token': Type.Optional(Type.String()) },
  { $id: 'ListDroppedObjectsResponse' },
);
export type ListDroppedObjectsResponse = Static<typeof ListDroppedObjectsResponse>;

export const UndropRequest = Type.Object(
  {
    namespace: Type.Optional(
      Type.Array(Type.String(), { description: 'Restore into this namespace (default: the one it was dropped from); for a namespace, under this parent' }),
    ),
    name: Type.Optional(
      Type.String({ description: 'Restore under this name (default: its own; needed when that name was taken since); for a namespace, its last level' }),
    ),
  },
  { $id: 'UndropRequest', additionalProperties: false },
);
export type UndropRequest = Static<typeof UndropRequest>;

/** Table maintenance on demand (POST …/tables/{table}/maintenance): which actions, a dry run, and the expiry's settings. */
export const TableMaintenanceRequest = Type.Object(
  {
    actions: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Literal('expire-snapshots'),
          Type.Literal('remove-orphan-files'),
          Type.Literal('rewrite-data-files'),
          Type.Literal('rewrite-manifests'),
          Type.Literal('optimize'),
        ]),
        {
          minItems: 1,
          description:
            "Default: expire-snapshots then remove-orphan-files. rewrite-data-files (compaction of small data files, bin-packed or sorted: see strategy) and rewrite-manifests (small manifests merged, clustered by partition; metadata only), each committed as a replace snapshot, run only when named, first, in that order. optimize is the Lance tables' only action (compaction of small fragments and index optimization by the Lance library, committed through the managed versions)",
        },
      ),
    ),
    'target-file-size-bytes': Type.Optional(
      Type.Integer({
        minimum: 1048576,
        maximum: 17179869184,
        description:
          "rewrite-data-files: the size files are packed to (default: the table's write.target-file-size-bytes, else 128 MiB); files below 3/4 of it are rewritten",
      }),
    ),
    'min-input-files': Type.Optional(
      Type.Integer({
        minimum: 2,
        maximum: 100000,
        description: 'rewrite-data-files: a group of fewer small files in one partition is left as it is (default 2)',
      }),
    ),
    'max-file-group-size-bytes': Type.Optional(
      Type.Integer({
        minimum: 1048576,
        maximum: 17179869184,
        description:
          "rewrite-data-files, as Iceberg's option: the input bytes one group of small files holds at most (default: the target file size with sort, twice it with binpack, which streams). A group's output is cut into files near the target size, each a contiguous range of the sort or z-order key with its own bounds; a sort or z-order holds the group's rows in memory, so this bounds its memory",
      }),
    ),
    ...CompactionThresholdFields,
    strategy: Type.Optional(
      Type.Union([Type.Literal('binpack'), Type.Literal('sort')], {
        description:
          "rewrite-data-files, as Spark's rewrite_data_files: binpack keeps the rows' order; sort writes each new file's rows in the table's default sort order and records its sort_order_id (400 for an unsorted table or a bucket sort field). Default: sort for a table with a default sort order, else binpack",
      }),
    ),
    'sort-order': Type.Optional(
      Type.Union(
        [
          Type.Object(
            {
              'order-id': Type.Optional(Type.Integer({ description: 'Ignored: the new files carry the id of the table order with the same fields, if any' })),
              fields: Type.Array(
                Type.Object(
                  {
                    'source-id': Type.Integer({ minimum: 0 }),
                    transform: Type.String({ examples: ['identity', 'truncate[4]', 'day'] }),
                    direction: Type.Union([Type.Literal('asc'), Type.Literal('desc')]),
                    'null-order': Type.Union([Type.Literal('nulls-first'), Type.Literal('nulls-last')]),
                  },
                  { additionalProperties: false },
                ),
                { minItems: 1, maxItems: 100 },
              ),
            },
            {
              additionalProperties: false,
              description:
                "Iceberg sort fields on the current schema's columns, as Spark's sort_order 'id DESC NULLS LAST'; the new files carry the id of the table's sort order with the same fields, or none",
            },
          ),
          Type.Object(
            {
              zorder: Type.Object(
                {
                  'source-ids': Type.Array(Type.Integer({ minimum: 0 }), {
                    minItems: 1,
                    maxItems: 32,
                    description:
                      'The columns whose bits interleave, by field id, in order (top-level boolean, int, long, float, double, date, timestamp, string or binary columns)',
                  }),
                  'var-length-contribution': Type.Optional(
                    Type.Integer({
                      minimum: 1,
                      maximum: 1024,
                      description: "Iceberg's var-length-contribution: bytes of a string or binary column in the key (default 8)",
                    }),
                  ),
                  'max-output-size': Type.Optional(
                    Type.Integer({
                      minimum: 1,
                      maximum: 65536,
                      description: "Iceberg's max-output-size: bytes of the interleaved key at most (default: every column's)",
                    }),
                  ),
                },
                { additionalProperties: false },
              ),
            },
            {
              additionalProperties: false,
              description:
                "Z-order, as Spark's sort_order 'zorder(a, b)': rows ordered by Iceberg's z-order key (the columns' order-preserving bytes, bits interleaved); the strategy applied is zorder, the new files carry no sort order id",
            },
          ),
        ],
        {
          description:
            "rewrite-data-files, as Spark's rewrite_data_files sort_order: the order sort writes instead of the table's default (implies strategy sort; 400 with binpack): sort fields, or a z-order",
        },
      ),
    ),
    'partial-progress': Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean({ description: "Spark's partial-progress.enabled" }),
          'max-commits': Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 1000,
              description:
                "Spark's partial-progress.max-commits: the file groups are committed in at most this many commits (Spark's default 10); only with enabled true",
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            "rewrite-data-files with the spark executor (compactionExecutor spark), as Spark's rewrite_data_files partial-progress options: file groups are committed as they finish, so a failing group loses only its own work (each commit a replace snapshot through the catalog; the result names the last). 400 with the in-process executor, which commits once; a dry run plans the same",
        },
      ),
    ),
    'target-manifest-size-bytes': Type.Optional(
      Type.Integer({
        minimum: 16384,
        maximum: 134217728,
        description:
          "rewrite-manifests: manifests below this size are merged into manifests of about this size (default: the table's commit.manifest.target-size-bytes, else 8 MiB)",
      }),
    ),
    'dry-run': Type.Optional(Type.Boolean({ description: 'Report what would be removed, change nothing' })),
    'max-snapshot-age-ms': Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 3153600000000,
        description: "Default: the table property history.expire.max-snapshot-age-ms, else the warehouse's, else 5 days",
      }),
    ),
    'min-snapshots-to-keep': Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000000, description: 'Default: history.expire.min-snapshots-to-keep, else 1' }),
    ),
    'max-ref-age-ms': Type.Optional(Type.Integer({ minimum: 0, maximum: 3153600000000, description: 'Default: history.expire.max-ref-age-ms, else never' })),
    'orphan-older-than-ms': Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 3153600000000,
        description: 'Safety age: orphans younger than this are kept (default 3 days; 0 only on a table nothing writes to)',
      }),
    ),
  },
  { $id: 'TableMaintenanceRequest', additionalProperties: false },
);
export type TableMaintenanceRequest = Static<typeof TableMaintenanceRequest>;

export const TableMaintenanceResult = Type.Object(
  {
    'dry-run': Type.Boolean(),
    'expired-snapshots': Type.Array(Type.String(), { description: 'Snapshot ids (as strings: 64-bit) removed from the table' }),
    'removed-refs': Type.Array(Type.String()),
    'deleted-files': Type.Integer(),
    'deleted-bytes': Type.Integer({ description: 'As the metadata records them (manifest lists count 0)' }),
    files: Type.Array(Type.Object({ path: Type.String(), kind: Type.String(), bytes: Type.Integer() }), {
      description: 'Deleted, or on a dry run to be deleted',
    }),
    'failed-files': Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String(),
          kind: Type.String(),
          bytes: Type.Integer(),
          error: Type.String({ description: "The store's error code and message" }),
        }),
        {
          description:
            'Files the store could not delete (not counted in deleted-files): left in place; no metadata reaches them, so a later orphan removal deletes them',
        },
      ),
    ),
    'missing-files': Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), kind: Type.String(), bytes: Type.Integer() }), {
        description: 'Files the job was to delete and did not find (not counted in deleted-files): nothing was deleted for them',
      }),
    ),
    'metadata-location': Type.String(),
    'policy-datasets': Type.Optional(
      Type.Object(
        {
          superseded: Type.Integer({
            description: 'Superseded policy-derived datasets this run kept within their grace period (marked; a later run removes them once it ends)',
          }),
          removed: Type.Integer({ description: 'Policy-derived datasets removed by this run (their files are in files)' }),
        },
        { description: "optimize (Lance tables): the table's policy-derived datasets" },
      ),
    ),
    optimize: Type.Optional(
      Type.Object(
        {
          'fragments-removed': Type.Integer(),
          'fragments-added': Type.Integer(),
          'files-removed': Type.Integer(),
          'files-added': Type.Integer(),
          attempts: Type.Integer({
            description: "Runs of the library's optimize: a concurrent delete or update of rewritten fragments wins, and it runs again",
          }),
          'version-before': Type.Integer({ description: 'The latest managed version when the job started' }),
          'version-after': Type.Integer({ description: 'The latest managed version when it ended (versions made by others meanwhile included)' }),
        },
        { description: 'optimize (Lance tables), when asked for' },
      ),
    ),
    compaction: Type.Optional(
      Type.Object(
        {
          outcome: Type.Union([Type.Literal('committed'), Type.Literal('nothing-to-do'), Type.Literal('conflict'), Type.Literal('dry-run')], {
            description:
              'conflict: the table changed in a way the rewrite cannot be rebased on (not only appends); nothing was committed and the new files were removed',
          }),
          'rewritten-data-files': Type.Integer(),
          'added-data-files': Type.Integer(),
          'rewritten-bytes': Type.Integer(),
          'added-bytes': Type.Integer(),
          groups: Type.Integer({ description: 'Groups rewritten (one new file each)' }),
          'skipped-groups': Type.Integer({ description: 'Groups left as they were (their files have different schemas)' }),
          attempts: Type.Integer({ description: 'Commit attempts (a concurrent commit makes the job rebase and try again)' }),
          strategy: Type.Union([Type.Literal('binpack'), Type.Literal('sort'), Type.Literal('zorder')], {
            description:
              'The strategy applied: the one asked for, else sort for a table with a default sort order, else binpack; zorder for strategy sort with a zorder sort-order',
          }),
          'target-file-size-bytes': Type.Integer({
            description: "The target size applied: the one asked for, else the table's write.target-file-size-bytes, else 128 MiB",
          }),
          'snapshot-id': Type.Optional(Type.String({ description: 'The replace snapshot committed' })),
          reason: Type.Optional(Type.String({ description: 'Why the job gave up (outcome conflict)' })),
        },
        { description: 'rewrite-data-files, when asked for' },
      ),
    ),
    manifests: Type.Optional(
      Type.Object(
        {
          outcome: Type.Union([Type.Literal('committed'), Type.Literal('nothing-to-do'), Type.Literal('conflict'), Type.Literal('dry-run')], {
            description: 'conflict: the table kept changing through every attempt; nothing was committed and the manifests written were removed',
          }),
          'rewritten-manifests': Type.Integer({ description: 'Small manifests merged (manifests-replaced in the snapshot summary)' }),
          'added-manifests': Type.Integer({ description: 'Manifests written in their place (manifests-created)' }),
          'kept-manifests': Type.Integer({ description: 'Manifests of the snapshot left as they were (manifests-kept)' }),
          'entries-processed': Type.Integer({ description: 'Live entries carried into the new manifests' }),
          'deferred-manifests': Type.Optional(
            Type.Integer({
              description:
                "Small manifests kept for the job's next run: merging them too would have held more entries than the server's manifestRewriteMemoryBytes (counted in kept-manifests too)",
            }),
          ),
          attempts: Type.Integer({ description: 'Commit attempts (a concurrent commit makes the job plan again on the new head)' }),
          'snapshot-id': Type.Optional(Type.String({ description: 'The replace snapshot committed' })),
          reason: Type.Optional(Type.String({ description: 'Why the job gave up (outcome conflict)' })),
        },
        { description: 'rewrite-manifests, when asked for' },
      ),
    ),
  },
  { $id: 'TableMaintenanceResult' },
);
export type TableMaintenanceResult = Static<typeof TableMaintenanceResult>;

/** Where a running job is (kept, as it ended, after the job): counts so far, written at most every second and at each phase. */
export const TableMaintenanceProgress = Type.Object(
  {
    // Literals spelled out (not mapped from an array), so the static type is their union and not string.
    phase: Type.Union([
      Type.Literal('starting'),
      Type.Literal('rewriting-data-files'),
      Type.Literal('rewriting-manifests'),
      Type.Literal('optimizing'),
      Type.Literal('committing-rewrite'),
      Type.Literal('expiring-snapshots'),
      Type.Literal('deleting-expired-files'),
      Type.Literal('listing-orphans'),
      Type.Literal('deleting-orphans'),
      Type.Literal('done'),
      Type.Literal('failed'),
    ]),
    'manifests-scanned': Type.Integer(),
    'files-scanned': Type.Integer({ description: 'Manifest entries and manifest lists read, and objects listed' }),
    'files-deleted': Type.Integer(),
    'bytes-deleted': Type.Integer(),
    'files-rewritten': Type.Optional(Type.Integer({ description: 'rewrite-data-files: small data files rewritten so far' })),
    'bytes-rewritten': Type.Optional(Type.Integer()),
    'manifests-rewritten': Type.Optional(Type.Integer({ description: 'rewrite-manifests: small manifests merged (once committed)' })),
    'files-failed': Type.Optional(Type.Integer({ description: 'Files the store could not delete: left in place, listed in the result' })),
    strategy: Type.Optional(
      Type.Union([Type.Literal('binpack'), Type.Literal('sort'), Type.Literal('zorder')], {
        description: 'rewrite-data-files: the strategy applied, once decided (zorder: strategy sort with a zorder sort-order)',
      }),
    ),
    'target-file-size-bytes': Type.Optional(Type.Integer({ description: 'rewrite-data-files: the target file size applied, once decided' })),
    'updated-at-ms': Type.Integer(),
    error: Type.Optional(Type.String({ description: 'Why the job failed (phase failed)' })),
  },
  { $id: 'TableMaintenanceProgress' },
);
export type TableMaintenanceProgress = Static<typeof TableMaintenanceProgress>;

/** GET …/tables/{table}/maintenance: the table's job as its lease records it, on whichever replica runs it. */
export const TableMaintenanceJob = Type.Object(
  {
    state: Type.Union([Type.Literal('never-run'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed'), Type.Literal('abandoned')], {
      description: 'abandoned: its replica stopped before it ended; the scheduler takes it again once its lease expires',
    }),
    holder: Type.Optional(Type.String({ description: 'The replica that holds (or last held) the lease' })),
    'started-at-ms': Type.Optional(Type.Integer()),
    'lease-expires-at-ms': Type.Optional(Type.Integer()),
    'last-completed-at-ms': Type.Optional(Type.Integer({ description: 'The last run that was not a dry run' })),
    progress: Type.Optional(Type.Ref(TableMaintenanceProgress)),
  },
  { $id: 'TableMaintenanceJob' },
);
export type TableMaintenanceJob = Static<typeof TableMaintenanceJob>;

/** Named schemas of this file. */
export const MANAGEMENT_DROPPED_SCHEMAS = [
  DroppedObject,
  ListDroppedObjectsResponse,
  UndropRequest,
  TableMaintenanceRequest,
  TableMaintenanceResult,
  TableMaintenanceProgress,
  TableMaintenanceJob,
];

/**
 * rewrite-data-files' size range and delete thresholds, as Iceberg's rewrite_data_files names them
 * (SizeBasedFileRewritePlanner, BinPackRewriteFilePlanner): fields of TableMaintenanceRequest (dropped.ts).
 */
import { Type } from '@sinclair/typebox';

export const CompactionThresholdFields = {
  'min-file-size-bytes': Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 17179869184,
      description: 'rewrite-data-files: files below this size are rewritten (default 3/4 of the target; must be below the target, else 400)',
    }),
  ),
  'max-file-size-bytes': Type.Optional(
    Type.Integer({
      minimum: 1048576,
      maximum: 34359738368,
      description:
        'rewrite-data-files: files above this size are rewritten, split into files near the target (default 1.8 times the target; must be above the target, else 400)',
    }),
  ),
  'delete-file-threshold': Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 2147483647,
      description: 'rewrite-data-files: a file with at least this many delete files applying to it is rewritten, whatever its size (default: off)',
    }),
  ),
  'delete-ratio-threshold': Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      description:
        'rewrite-data-files: a file whose file-scoped deletes (deletion vectors, position deletes naming only it) delete at least this share of its rows is rewritten, whatever its size (default 0.3)',
    }),
  ),
};

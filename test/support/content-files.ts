/**
 * A ContentFile (catalog/ports/manifests.ts) for tests: a data file of one record and one byte in Parquet with no
 * partition values, no metrics and no v3 fields, with whatever `fields` a test cares about given on top.
 */
import type { ContentFile } from '../../packages/server/src/catalog/ports/manifests.js';

export function contentFile(filePath: string, fields: Partial<ContentFile> = {}): ContentFile {
  return {
    content: 0,
    filePath,
    fileFormat: 'parquet',
    partition: [],
    recordCount: 1,
    fileSizeInBytes: 1,
    columnSizes: null,
    valueCounts: null,
    nullValueCounts: null,
    nanValueCounts: null,
    lowerBounds: null,
    upperBounds: null,
    keyMetadata: null,
    splitOffsets: null,
    equalityIds: null,
    sortOrderId: null,
    firstRowId: null,
    referencedDataFile: null,
    contentOffset: null,
    contentSizeInBytes: null,
    ...fields,
  };
}

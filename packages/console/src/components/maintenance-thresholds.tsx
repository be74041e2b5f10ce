/**
 * The maintenance panel's compaction size range and delete thresholds (issue 59), as Iceberg's rewrite_data_files
 * names them: files below the min size or above the max size (MiB) are rewritten, and so is a file with at least
 * that many delete files or whose deletes remove at least that share of its rows. Empty fields send nothing (the
 * table's `compaction.*` properties or the server's defaults); the bounds are the server's, its 400 shown.
 */
export interface ThresholdValues {
  minFileMiB: string;
  maxFileMiB: string;
  deleteFileThreshold: string;
  deleteRatioThreshold: string;
}

// No min/max attributes: a value out of bounds is sent, and the server's 400 says which bound, in its words.
const FIELDS: Array<{ key: keyof ThresholdValues; name: string; label: string; title: string; placeholder: string }> = [
  {
    key: 'minFileMiB',
    name: 'maintenance-min-file-mib',
    label: 'Min file size (MiB)',
    title: 'min-file-size-bytes: files below this size are rewritten (must be below the target)',
    placeholder: '3/4 of target',
  },
  {
    key: 'maxFileMiB',
    name: 'maintenance-max-file-mib',
    label: 'Max file size (MiB)',
    title: 'max-file-size-bytes: files above this size are rewritten, split near the target (must be above the target)',
    placeholder: '1.8× target',
  },
  {
    key: 'deleteFileThreshold',
    name: 'maintenance-delete-file-threshold',
    label: 'Delete file threshold',
    title: 'delete-file-threshold: a file with at least this many delete files is rewritten, whatever its size',
    placeholder: 'off',
  },
  {
    key: 'deleteRatioThreshold',
    name: 'maintenance-delete-ratio-threshold',
    label: 'Delete ratio threshold',
    title: 'delete-ratio-threshold: a file whose deletes remove at least this share of its rows is rewritten (above 0, at most 1)',
    placeholder: '0.3',
  },
];

export function CompactionThresholdInputs({ values, onChange }: { values: ThresholdValues; onChange: (next: ThresholdValues) => void }) {
  return (
    <>
      {FIELDS.map((f) => (
        <label key={f.key} title={f.title}>
          {f.label}{' '}
          <input
            name={f.name}
            type="number"
            step="any"
            placeholder={f.placeholder}
            value={values[f.key]}
            onChange={(e) => onChange({ ...values, [f.key]: e.target.value })}
          />
        </label>
      ))}
    </>
  );
}

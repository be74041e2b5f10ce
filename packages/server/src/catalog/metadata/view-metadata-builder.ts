/**
 * View metadata: create, apply updates, check requirements (mirroring
 * Iceberg Java's ViewMetadata.Builder).
 *
 * Invariants enforced, and why:
 * - a view's uuid never changes (it identifies the view across renames);
 * - a version's schema must exist; identical versions/schemas reuse ids, so
 *   replaying a replace does not grow the history;
 * - replacing the current version must not drop a SQL dialect unless
 *   `replace.drop-dialect.allowed=true` (an engine reading that dialect
 *   would otherwise silently lose the view);
 * - at most `version.history.num-entries` (default 10) versions are kept,
 *   never dropping the current version or versions added in this commit,
 *   and the version-log is cut at the first entry whose version is gone.
 */
import { randomUUID } from 'node:crypto';
import { commitConflict, illegalArgument, validation } from '../../errors/catalog-error.js';
import { asArray, asObject, asString, asStringMap, get, mapToRecord, optObject, reqInt, reqLong, reqString, sub, toWire } from './read.js';
import { checkMetadataCodecProperty } from './metadata-log.js';
import { removeProperties, setProperties } from './property-changes.js';
import { IdIndex } from './id-index.js';
import { parseSchema, schemaKey, withSchemaId } from './schema.js';
import type { Schema, ViewHistoryEntry, ViewMetadata, ViewVersion } from './types.js';
import type { CreateViewInput, ViewUpdate } from './change-types.js';
import { parseList, parseViewRequirement, parseViewUpdate } from './updates.js';
import { checkDialects, parseViewVersion, sqlDialects, viewVersionKey } from './view-version.js';
import { checkDefaults } from './defaults.js';

export const MAX_VIEW_FORMAT_VERSION = 1;
export const VERSION_HISTORY_SIZE = 'version.history.num-entries';
export const VERSION_HISTORY_SIZE_DEFAULT = 10;
export const REPLACE_DROP_DIALECT_ALLOWED = 'replace.drop-dialect.allowed';
const LAST_ADDED = -1;

export interface ViewContext {
  nowMs: number;
  newUuid?: () => string;
}

export interface ViewUpdateResult {
  metadata: ViewMetadata;
  changes: ViewUpdate[];
  changed: boolean;
}

class ViewMetadataBuilder {
  formatVersion = 1;
  uuid: string | undefined;
  location: string | undefined;
  schemas: Schema[] = [];
  versions: ViewVersion[] = [];
  history: ViewHistoryEntry[] = [];
  properties = new Map<string, string>();
  currentVersionId = 0;
  readonly changes: ViewUpdate[] = [];
  private lastAddedVersionId: number | undefined;
  /** Equivalent schemas and versions by key, so each add is one lookup (id-index.ts). */
  private readonly schemaIds = new IdIndex<Schema>(schemaKey, (s) => s['schema-id']);
  private readonly versionIds = new IdIndex<ViewVersion>(viewVersionKey, (v) => v['version-id']);
  /** Versions added by this commit. */
  private readonly addedVersionIds = new Set<number>();
  private lastAddedSchemaId: number | undefined;
  private historyEntry: ViewHistoryEntry | undefined;
  private readonly previousVersion: ViewVersion | undefined;

  private readonly nowMs: number;

  constructor(
    private readonly base: ViewMetadata | null,
    nowMs: number,
    previousVersion?: ViewVersion,
  ) {
    this.nowMs = Number.isFinite(nowMs) ? Math.trunc(nowMs) : Date.now();
    this.previousVersion = previousVersion;
  }

  upgradeFormatVersion(version: number): this {
    if (version < this.formatVersion) throw illegalArgument(`Cannot downgrade v${this.formatVersion} view to v${version}`);
    if (version > MAX_VIEW_FORMAT_VERSION) {
      throw illegalArgument(`Unsupported format version: ${version}`);
    }
    if (version === this.formatVersion) return this;
    this.formatVersion = version;
    this.changes.push({ action: 'upgrade-format-version', 'format-version': version });
    return this;
  }

  setLocation(location: string): this {
    if (location.length === 0) throw illegalArgument('Invalid location: (empty string)');
    if (this.location === location) return this;
    this.location = location;
    this.changes.push({ action: 'set-location', location });
    return this;
  }

  assignUuid(uuid: string): this {
    if (this.uuid !== undefined && uuid.toLowerCase() !== this.uuid.toLowerCase()) {
      throw illegalArgument('Cannot reassign uuid');
    }
    if (this.uuid !== undefined) return this;
    this.uuid = uuid;
    this.changes.push({ action: 'assign-uuid', uuid });
    return this;
  }

  addSchema(schema: Schema): number {
    const same = this.schemaIds.find(this.schemas, schemaKey(schema));
    if (same !== undefined) {
      this.lastAddedSchemaId = same;
      return same;
    }
    const newId = this.schemaIds.nextFree(this.schemas, 0, 'schema');
    const added = withSchemaId(schema, newId);
    this.schemas.push(added);
    this.schemaIds.added(this.schemas, added);
    this.changes.push({ action: 'add-schema', schema: added });
    this.lastAddedSchemaId = newId;
    return newId;
  }

  addVersion(input: ViewVersion): number {
    let version = input;
    if (version['schema-id'] === LAST_ADDED) {
      if (this.lastAddedSchemaId === undefined) throw validation('Cannot set last added schema: no schema has been added');
      version = { ...version, 'schema-id': this.lastAddedSchemaId };
    }
    const same = this.versionIds.find(this.versions, viewVersionKey(version));
    if (same !== undefined) {
      this.lastAddedVersionId = same;
      return same;
    }
    const newId = this.versionIds.nextFree(this.versions, version['version-id'], 'view version');
    if (!this.schemaIds.has(this.schemas, version['schema-id'])) {
      throw illegalArgument(`Cannot add version with unknown schema: ${version['schema-id']}`);
    }
    checkDialects(version);
    version = { ...version, 'version-id': newId };
    this.versions.push(version);
    this.versionIds.added(this.versions, version);
    this.addedVersionIds.add(newId);
    this.changes.push({ action: 'add-view-version', 'view-version': version });
    this.lastAddedVersionId = newId;
    return newId;
  }

  setCurrentVersionId(versionId: number): this {
    if (versionId === LAST_ADDED) {
      if (this.lastAddedVersionId === undefined) {
        throw validation('Cannot set last version id: no current version id has been set');
      }
      return this.setCurrentVersionId(this.lastAddedVersionId);
    }
    if (this.currentVersionId === versionId) return this;
    const version = this.versions.find((v) => v['version-id'] === versionId);
    if (!version) throw illegalArgument(`Cannot set current version to unknown version: ${versionId}`);
    this.currentVersionId = versionId;
    this.changes.push({ action: 'set-current-view-version', 'view-version-id': versionId });
    // A version added in this commit is logged at its own timestamp; re-activating an old one, now.
    const addedNow = this.addedVersionIds.has(versionId);
    this.historyEntry = { 'timestamp-ms': addedNow ? version['timestamp-ms'] : this.nowMs, 'version-id': versionId };
    return this;
  }

  setProperties(updates: Record<string, string>): this {
    const change = setProperties(this.properties, Object.entries(updates), checkMetadataCodecProperty);
    if (change) this.changes.push(change);
    return this;
  }

  removeProperties(keys: readonly string[]): this {
    const change = removeProperties(this.properties, keys);
    if (change) this.changes.push(change);
    return this;
  }

  apply(update: ViewUpdate): this {
    switch (update.action) {
      case 'assign-uuid':
        return this.assignUuid(update.uuid);
      case 'upgrade-format-version':
        return this.upgradeFormatVersion(update['format-version']);
      case 'add-schema':
        this.addSchema(update.schema as Schema);
        return this;
      case 'set-location':
        return this.setLocation(update.location);
      case 'set-properties':
        return this.setProperties(update.updates);
      case 'remove-properties':
        return this.removeProperties(update.removals);
      case 'add-view-version':
        this.addVersion(update['view-version']);
        return this;
      case 'set-current-view-version':
        return this.setCurrentVersionId(update['view-version-id']);
    }
  }

  build(newUuid: () => string): ViewMetadata {
    if (this.base !== null && this.changes.length === 0) return this.base;
    const current = this.validateState();

    let history = [...this.history];
    if (this.historyEntry) history.push(this.historyEntry);

    if (this.previousVersion !== undefined && this.properties.get(REPLACE_DROP_DIALECT_ALLOWED)?.toLowerCase() !== 'true') {
      const before = sqlDialects(this.previousVersion);
      const after = sqlDialects(current);
      const lost = [...before].filter((d) => !after.has(d));
      if (lost.length > 0) {
        throw validation(
          `Cannot replace view due to loss of view dialects (${REPLACE_DROP_DIALECT_ALLOWED}=false): ` +
            `previous dialects: ${[...before].join(', ')}; new dialects: ${[...after].join(', ')}`,
        );
      }
    }

    const rawSize = this.properties.get(VERSION_HISTORY_SIZE);
    let historySize = VERSION_HISTORY_SIZE_DEFAULT;
    if (rawSize !== undefined) {
      if (!/^\s*-?\d+\s*$/.test(rawSize)) throw illegalArgument(`${VERSION_HISTORY_SIZE} must be an integer but was ${rawSize}`);
      historySize = Number(rawSize);
    }
    if (historySize <= 0) throw illegalArgument(`${VERSION_HISTORY_SIZE} must be positive but was ${historySize}`);

    const mustKeep = new Set<number>([this.currentVersionId]);
    for (const c of this.changes) if (c.action === 'add-view-version') mustKeep.add(c['view-version']['version-id']);
    const keep = Math.max(mustKeep.size, historySize);
    let versions = this.versions;
    if (versions.length > keep) {
      // Version ids grow over time: keep the current version and the newest others.
      const retained = new Set<number>([this.currentVersionId]);
      const ids = versions
        .map((v) => v['version-id'])
        .sort((a, b) => b - a)
        .slice(0, keep);
      for (const id of ids) {
        if (retained.size === keep) break;
        retained.add(id);
      }
      versions = versions.filter((v) => retained.has(v['version-id']));
      const trimmed: ViewHistoryEntry[] = [];
      for (const entry of history) {
        if (retained.has(entry['version-id'])) trimmed.push(entry);
        else trimmed.length = 0;
      }
      history = trimmed;
    }

    if (this.uuid === undefined) this.uuid = newUuid();
    return this.serialize(versions, history);
  }

  /** Checks the invariants every view metadata file must satisfy; returns the current version. */
  validateState(): ViewVersion {
    if (this.location === undefined) throw illegalArgument('Invalid location: null');
    if (this.versions.length === 0) throw illegalArgument('Invalid view: no versions were added');
    const current = this.versions.find((v) => v['version-id'] === this.currentVersionId);
    if (!current) throw validation(`Invalid view metadata: current version ${this.currentVersionId} does not exist`);
    if (!this.schemas.some((s) => s['schema-id'] === current['schema-id'])) {
      throw validation(`Invalid view metadata: schema ${current['schema-id']} of the current version does not exist`);
    }
    return current;
  }

  serialize(versions: ViewVersion[] = this.versions, history: ViewHistoryEntry[] = this.history): ViewMetadata {
    return {
      'view-uuid': this.uuid as string,
      'format-version': 1,
      location: this.location as string,
      properties: mapToRecord(this.properties),
      schemas: [...this.schemas],
      'current-version-id': this.currentVersionId,
      versions: [...versions],
      'version-log': [...history],
    };
  }
}

/** Validates and normalizes stored view metadata. */
function loadView(raw: unknown, nowMs: number, path: string): ViewMetadataBuilder {
  const o = asObject(raw, path);
  const formatVersion = reqInt(o, 'format-version', path);
  if (formatVersion < 1 || formatVersion > MAX_VIEW_FORMAT_VERSION) {
    throw validation(`Invalid ${sub(path, 'format-version')}: unsupported view format version ${formatVersion}`);
  }
  const versions = asArray(get(o, 'versions') ?? null, sub(path, 'versions')).map((v, i) => parseViewVersion(v, sub(sub(path, 'versions'), i)));
  const currentVersionId = reqInt(o, 'current-version-id', path);
  const current = versions.find((v) => v['version-id'] === currentVersionId);
  if (!current) throw validation(`Invalid ${path}: cannot find current version ${currentVersionId} in view versions`);
  const b = new ViewMetadataBuilder(raw as ViewMetadata, nowMs, current);
  b.formatVersion = formatVersion;
  b.uuid = reqString(o, 'view-uuid', path);
  b.location = reqString(o, 'location', path);
  b.versions = versions;
  b.currentVersionId = currentVersionId;
  b.schemas = asArray(get(o, 'schemas') ?? null, sub(path, 'schemas')).map((s, i) => parseSchema(s, sub(sub(path, 'schemas'), i)));
  const props = optObject(o, 'properties', path);
  b.properties = props ? asStringMap(props, sub(path, 'properties')) : new Map();
  const log = get(o, 'version-log');
  b.history =
    log === undefined || log === null
      ? []
      : asArray(log, sub(path, 'version-log')).map((e, i) => {
          const p = sub(sub(path, 'version-log'), i);
          const eo = asObject(e, p);
          return { 'timestamp-ms': toWire(reqLong(eo, 'timestamp-ms', p)), 'version-id': reqInt(eo, 'version-id', p) };
        });
  return b;
}

export interface NewViewInput {
  /** Untrusted schema JSON; field ids are kept, the schema gets id 0. */
  schema: unknown;
  /** Untrusted view-version JSON; it gets version id 1 and timestamp nowMs. */
  viewVersion: unknown;
  /** The resolved view location (request location or the catalog default). */
  location: string;
  properties?: unknown;
  uuid?: string;
  nowMs: number;
}

/**
 * A new view, as Iceberg Java's view builder creates it. Accepts either a
 * NewViewInput, or a raw create-view request body plus a context (whose
 * `location` overrides the request's).
 */
export function newViewMetadata(input: NewViewInput): ViewMetadata;
export function newViewMetadata(request: CreateViewInput | unknown, ctx: ViewContext & { location?: string }): ViewMetadata;
export function newViewMetadata(arg: unknown, ctx?: ViewContext & { location?: string }): ViewMetadata {
  let input: NewViewInput;
  if (ctx === undefined) {
    const o = asObject(arg, 'request');
    input = {
      schema: get(o, 'schema'),
      viewVersion: get(o, 'viewVersion'),
      location: reqString(o, 'location', 'request'),
      properties: get(o, 'properties'),
      nowMs: Number(get(o, 'nowMs')),
    };
    const uuid = get(o, 'uuid');
    if (typeof uuid === 'string') input.uuid = uuid;
  } else {
    const o = asObject(arg, 'request');
    const requestLocation = get(o, 'location');
    const location = ctx.location ?? (requestLocation === undefined || requestLocation === null ? undefined : reqString(o, 'location', 'request'));
    if (location === undefined) throw validation('Invalid request: missing view location');
    input = { schema: get(o, 'schema'), viewVersion: get(o, 'view-version'), location, properties: get(o, 'properties'), nowMs: ctx.nowMs };
    if (ctx.newUuid) input.uuid = ctx.newUuid();
  }
  const schema = parseSchema(input.schema, 'schema');
  checkDefaults(schema);
  const version = parseViewVersion(input.viewVersion ?? null, 'view-version');
  if (version.representations.length === 0) throw validation('Cannot create view without specifying a query');

  const b = new ViewMetadataBuilder(null, input.nowMs);
  if (input.properties !== undefined && input.properties !== null) {
    b.setProperties(mapToRecord(asStringMap(input.properties, 'properties')));
  }
  b.setLocation(asString(input.location, 'location'));
  const schemaId = b.addSchema(schema);
  const now = Number.isFinite(input.nowMs) ? Math.trunc(input.nowMs) : Date.now();
  const versionId = b.addVersion({ ...version, 'version-id': 1, 'schema-id': schemaId, 'timestamp-ms': now });
  b.setCurrentVersionId(versionId);
  const uuid = input.uuid;
  return b.build(() => uuid ?? randomUUID());
}

/** Applies untrusted view updates to `base`. Check requirements first with checkViewRequirements. */
export function applyViewUpdatesDetailed(base: ViewMetadata, updates: readonly unknown[], ctx: ViewContext): ViewUpdateResult {
  const parsed = parseList(updates, 'updates', parseViewUpdate);
  const b = loadView(base, ctx.nowMs, 'base metadata');
  parsed.forEach((u) => b.apply(u));
  const metadata = b.build(ctx.newUuid ?? randomUUID);
  return { metadata, changes: b.changes, changed: metadata !== base };
}

export function applyViewUpdates(base: ViewMetadata, updates: readonly unknown[], ctx: ViewContext): ViewMetadata {
  return applyViewUpdatesDetailed(base, updates, ctx).metadata;
}

/** Validates and normalizes view metadata read from a file (e.g. for register-view). */
export function parseViewMetadata(json: unknown): ViewMetadata {
  const b = loadView(json, Date.now(), 'metadata');
  b.validateState();
  return b.serialize();
}

/** assert-view-uuid is the only view requirement; base null means the view does not exist. */
export function checkViewRequirements(base: ViewMetadata | null, requirements: readonly unknown[]): void {
  const parsed = parseList(requirements, 'requirements', parseViewRequirement);
  for (const r of parsed) {
    if (base === null) throw commitConflict('Requirement failed: view does not exist');
    if (r.uuid.toLowerCase() !== String(base['view-uuid']).toLowerCase()) {
      throw commitConflict(`Requirement failed: view UUID does not match: expected ${base['view-uuid']} != ${r.uuid}`);
    }
  }
}

/**
 * Where a Lance manifest lives, and the two forms clients name it in. Lance (rust/lance io/commit/namespace_manifest.rs)
 * sends the staged manifest as an object-store path, relative to the store's root (`bucket-less key` for S3, the
 * absolute path without its leading "/" for a local file system), and parses the paths the catalog answers the same
 * way; other clients may send full URIs. The catalog keeps full URIs and answers in the form it was sent.
 *
 * A local file's object-store path is its decoded file system path (Lance sends "sig ns/…" for file:///…/sig%20ns/…),
 * so file locations are compared as paths; object store keys are compared as written (storage/s3: keys are literal).
 * Lance opens a location through Rust's object_store, which percent-decodes it (docs/storage.md), while the catalog's
 * storage reads every location literally (issue 52): lanceObjectUri gives the URI whose literal object is the one
 * Lance reads, and every storage call about a Lance table's files goes through it (lanceStorage). Locations the
 * catalog creates now hold no escape, so for them it changes nothing.
 *
 * A staged manifest must lie directly in the table's `_versions/` directory (a writer may not make the catalog copy,
 * and then delete, another table's or another warehouse's object, nor a data file of its own table), and must not be
 * the final manifest of a version: moving it would delete that version's manifest.
 */
import { pathToFileURL } from 'node:url';
import { validation } from '../../../errors/catalog-error.js';
import { localPath } from '../../locations.js';
import type { ObjectStorage } from '../../ports/index.js';

export type ManifestNamingScheme = 'V1' | 'V2';
/** How the client named the manifest: an object-store path, or a URI. */
export type PathForm = 'path' | 'uri';

const URI = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)\/(.*)$/i;
const U64_MAX = 2n ** 64n - 1n;

/** `scheme://authority/` of a location: what an object-store path is relative to (`file:///` for local files). */
export function storeRoot(location: string): string {
  const m = URI.exec(`${location}/`);
  if (!m) throw validation(`location ${location} is not an absolute URI`);
  return `${m[1]}://${m[2]}/`;
}

/** The manifest file name of a version: V1 `<version>.manifest`, V2 `<u64::MAX - version, 20 digits>.manifest` (newest sorts first). */
export function manifestName(version: number, scheme: ManifestNamingScheme): string {
  if (scheme === 'V1') return `${version}.manifest`;
  return `${(U64_MAX - BigInt(version)).toString().padStart(20, '0')}.manifest`;
}

/** The final URI of a version's manifest under the table's location. */
export function finalManifestUri(location: string, version: number, scheme: ManifestNamingScheme): string {
  return `${location.replace(/\/+$/, '')}/_versions/${manifestName(version, scheme)}`;
}

/** A staged manifest path as the client sent it: its URI, and the form to answer in. Refuses paths outside the table's location. */
export function stagedManifest(sent: string, location: string): { uri: string; form: PathForm } {
  const form: PathForm = URI.test(sent) ? 'uri' : 'path';
  const file = location.startsWith('file:');
  if (sent.split('/').some((s) => s === '.' || s === '..') || /[\u0000-\u001f]/.test(sent))
    throw validation(`manifest_path ${JSON.stringify(sent)} is not inside the table's location`);
  const relative = sent.replace(/^\/+/, '');
  const uri = form === 'uri' ? sent : file ? pathToFileURL(`/${relative}`).href : storeRoot(location) + relative;
  const rest = file ? below(localPath(location), uri.startsWith('file:') ? safeLocalPath(uri) : undefined) : below(location.replace(/\/+$/, ''), uri);
  if (rest === undefined || rest.length === 0 || rest.split('/').some((s) => s === '' || s === '.' || s === '..') || /[\u0000-\u001f?#\\]/.test(rest)) {
    throw validation(`manifest_path ${JSON.stringify(sent)} is not inside the table's location`);
  }
  // Lance stages manifests in _versions/; anywhere else the copy-then-delete would remove a data or index file.
  if (!/^_versions\/[^/]+$/.test(rest)) throw validation(`manifest_path ${JSON.stringify(sent)} is not a staged manifest in the table's _versions/ directory`);
  if (/^_versions\/\d+\.manifest$/.test(rest))
    throw validation(`manifest_path ${JSON.stringify(sent)} names the final manifest of a version, not a staged one`);
  return { uri, form };
}

function below(base: string, inner: string | undefined): string | undefined {
  return inner !== undefined && inner.startsWith(`${base}/`) ? inner.slice(base.length + 1) : undefined;
}

function safeLocalPath(uri: string): string | undefined {
  try {
    return localPath(uri);
  } catch {
    return undefined;
  }
}

/**
 * Where Lance keeps a branch's ref, in Lance's URL form (for lanceStorage): the object `<table>/_refs/branches/<name>.json`
 * whose file name is the branch name percent-encoded (a branch `team/x` is the object `team%2Fx.json`, while its data is
 * under `tree/team/x/`), as Lance 0.38+ writes and reads it; so the name is encoded twice here, lanceObjectUri taking
 * one off.
 */
export function branchRefUri(location: string, branch: string): string {
  return `${location.replace(/\/+$/, '')}/_refs/branches/${encodeURIComponent(encodeURIComponent(branch))}.json`;
}

/** The URI of the object Lance reads at `uri`: its path percent-decoded, as object_store's Path::from_url_path does. */
export function lanceObjectUri(uri: string): string {
  if (!uri.includes('%')) return uri;
  const m = uri.startsWith('file:') ? /^(file:\/\/)(\/.*)$/.exec(`file://${localPath(uri)}`) : URI.exec(uri);
  if (!m) return uri;
  const [prefix, rest] = uri.startsWith('file:') ? [m[1]!, m[2]!] : [`${m[1]}://${m[2]}/`, m[3]!];
  try {
    return prefix + decodeURIComponent(rest);
  } catch {
    return uri;
  }
}

/** The storage as Lance sees a table's objects: every URI through lanceObjectUri. */
export function lanceStorage(storage: ObjectStorage): Pick<ObjectStorage, 'exists' | 'read' | 'writeNew' | 'delete'> {
  return {
    exists: (uri) => storage.exists(lanceObjectUri(uri)),
    read: (uri, maxBytes) => storage.read(lanceObjectUri(uri), maxBytes),
    writeNew: (uri, data) => storage.writeNew(lanceObjectUri(uri), data),
    delete: (uri) => storage.delete(lanceObjectUri(uri)),
  };
}

/** A stored manifest URI in the form the client uses. */
export function inForm(uri: string, form: PathForm): string {
  if (form === 'uri') return uri;
  if (uri.startsWith('file:')) return lanceObjectUri(uri).slice('file:///'.length);
  const root = storeRoot(uri);
  return uri.startsWith(root) ? uri.slice(root.length) : uri;
}

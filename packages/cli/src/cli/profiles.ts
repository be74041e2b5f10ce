/**
 * Stored connection profiles. Profiles hold secrets (client secrets, tokens, API keys), so the file is created with
 * mode 0600 in a 0700 directory and rewritten atomically (temporary file + rename), never left half-written or
 * briefly world-readable.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from './errors.js';

/** One profile: where the catalog is and the catalog properties (Iceberg names) that select and configure auth. */
export interface Profile {
  uri?: string;
  warehouse?: string;
  properties: Record<string, string>;
}

interface ProfileFile {
  profiles: Record<string, Profile>;
}

/** `$LAKEGATE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/lakegate`, else `~/.config/lakegate`. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['LAKEGATE_CONFIG_DIR']) return path.resolve(env['LAKEGATE_CONFIG_DIR']);
  if (env['XDG_CONFIG_HOME']) return path.join(env['XDG_CONFIG_HOME'], 'lakegate');
  return path.join(os.homedir(), '.config', 'lakegate');
}

/**
 * Reads and writes `profiles.json` in the config directory.
 *
 * @example
 * ```ts
 * const store = new ProfileStore();
 * store.save('dev', { uri: 'http://127.0.0.1:8181', properties: { credential: 'id:secret' } });
 * ```
 */
export class ProfileStore {
  readonly file: string;

  constructor(dir: string = configDir()) {
    this.file = path.join(dir, 'profiles.json');
  }

  /** The named profile, or undefined. */
  get(name: string): Profile | undefined {
    return this.read().profiles[name];
  }

  /** Names of all profiles. */
  names(): string[] {
    return Object.keys(this.read().profiles).sort();
  }

  /** Creates or replaces a profile. */
  save(name: string, profile: Profile): void {
    const data = this.read();
    data.profiles[name] = profile;
    this.write(data);
  }

  /** Removes a profile; false when there was none. */
  remove(name: string): boolean {
    const data = this.read();
    if (!(name in data.profiles)) return false;
    delete data.profiles[name];
    this.write(data);
    return true;
  }

  private read(): ProfileFile {
    if (!existsSync(this.file)) return { profiles: {} };
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      throw new UsageError(`${this.file} is not valid JSON; fix or remove it`);
    }
    const profiles = (parsed as Partial<ProfileFile> | null)?.profiles;
    if (typeof profiles !== 'object' || profiles === null) throw new UsageError(`${this.file} has no "profiles" object; fix or remove it`);
    return { profiles };
  }

  private write(data: ProfileFile): void {
    const dir = path.dirname(this.file);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flag: 'w' });
    // The mode given to writeFileSync is filtered by the umask and ignored for an existing file: set it explicitly.
    chmodSync(temp, 0o600);
    renameSync(temp, this.file);
  }

  /** The file's permission bits, when it exists (for warnings about loosened modes). */
  mode(): number | undefined {
    return existsSync(this.file) ? statSync(this.file).mode & 0o777 : undefined;
  }
}

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReadMemo } from './read-memo.js';

const SELECT = 'select name, v from t where name = ?';

describe('answers kept while the SQLite file is unchanged (PRAGMA data_version)', () => {
  let dir: string;
  let file: string;
  let writer: Database.Database;
  let reader: Database.Database;
  let versionChecks: number;
  let runs: number;
  let memo: ReadMemo;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakegate-memo-'));
    file = path.join(dir, 'db.sqlite');
    writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.exec("create table t (name text primary key, v integer); insert into t values ('a', 1), ('b', 1)");
    reader = new Database(file, { readonly: true });
    const dataVersion = reader.prepare('pragma data_version').pluck();
    versionChecks = 0;
    runs = 0;
    memo = new ReadMemo(() => {
      versionChecks += 1;
      return dataVersion.get() as number;
    });
  });
  afterEach(() => {
    reader.close();
    writer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const read = (name: string) =>
    memo.rows(SELECT, [name], () => {
      runs += 1;
      return reader.prepare(SELECT).all(name);
    });

  it('reads a first sighting without a version check and keeps nothing; keeps the second; answers later ones from memory', () => {
    expect(read('a')).toEqual([{ name: 'a', v: 1 }]);
    expect([runs, versionChecks, memo.size]).toEqual([1, 0, 0]);
    expect(read('a')).toEqual([{ name: 'a', v: 1 }]);
    expect([runs, versionChecks, memo.size]).toEqual([2, 1, 1]);
    for (let i = 0; i < 5; i++) expect(read('a')).toEqual([{ name: 'a', v: 1 }]);
    expect([runs, versionChecks]).toEqual([2, 6]);
    // Another read is its own key.
    expect(read('b')).toEqual([{ name: 'b', v: 1 }]);
    expect(runs).toBe(3);
  });

  it('reads again after a commit by another connection of this process, to any table', () => {
    read('a');
    read('a');
    writer.prepare("update t set v = 2 where name = 'a'").run();
    expect(read('a')).toEqual([{ name: 'a', v: 2 }]);
    expect(runs).toBe(3);
    // A commit that touches another table still invalidates: the answer is read again, and is the same.
    writer.exec('create table other (x integer); insert into other values (1)');
    expect(read('a')).toEqual([{ name: 'a', v: 2 }]);
    expect(runs).toBe(4);
    expect(read('a')).toEqual([{ name: 'a', v: 2 }]);
    expect(runs).toBe(4);
  });

  it('reads again after a commit by another process', () => {
    read('b');
    read('b');
    const script = `const D = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))}); const db = new D(${JSON.stringify(file)}); db.prepare("update t set v = 7 where name = 'b'").run(); db.close();`;
    execFileSync(process.execPath, ['-e', script]);
    expect(read('b')).toEqual([{ name: 'b', v: 7 }]);
  });

  it('never keeps an answer under a version newer than the state it was read from', () => {
    // A commit lands right after the read, before anything else: the answer read (v = 1) must not be kept under the
    // version that includes the commit, or the next read would be answered with v = 1.
    const racing = (after?: () => void) =>
      memo.rows(SELECT, ['a'], () => {
        const rows = reader.prepare(SELECT).all('a');
        after?.();
        return rows;
      });
    racing();
    expect(racing(() => writer.prepare("update t set v = 2 where name = 'a'").run())).toEqual([{ name: 'a', v: 1 }]);
    expect(racing()).toEqual([{ name: 'a', v: 2 }]);
  });

  it('shares kept answers frozen, and stays within its bound', () => {
    const small = new ReadMemo(() => 1, { maxEntries: 2 });
    const rowsOf = (n: string) => small.rows(SELECT, [n], () => [{ name: n }]);
    for (const n of ['a', 'a', 'b', 'b']) rowsOf(n);
    const kept = rowsOf('a');
    expect(Object.isFrozen(kept) && Object.isFrozen(kept[0])).toBe(true);
    expect(() => (kept[0] as { name: string }).name.concat('') && Object.assign(kept[0] as object, { name: 'x' })).toThrow(TypeError);
    expect(small.size).toBe(2);
    rowsOf('c');
    rowsOf('c');
    expect(small.size).toBe(1);
  });

  it('does not keep answers of reads with parameters that are not plain values', () => {
    const buffer = Buffer.from('a');
    let count = 0;
    for (let i = 0; i < 3; i++) memo.rows(SELECT, [buffer], () => [{ n: ++count }]);
    expect(count).toBe(3);
    expect(memo.size).toBe(0);
  });
});

import { readdirSync } from 'node:fs';
import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../../lambdas/core/schema/canonical.ts';
import { createViewSql, VIEWS, VIEWS_DIR, viewSql } from '../../sql/registry.ts';

const trino = new TrinoSQL();

describe('view registry', () => {
  it('registers every file of sql/views exactly once', () => {
    const files = readdirSync(VIEWS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(VIEWS.map((v) => v.file).sort()).toEqual(files);
    expect(new Set(VIEWS.map((v) => v.name)).size).toBe(VIEWS.length);
  });

  it('lists each view after the views it depends on', () => {
    const seen = new Set<string>();
    for (const view of VIEWS) {
      for (const dependency of view.dependsOn)
        expect(seen, `${view.name} needs ${dependency} first`).toContain(dependency);
      seen.add(view.name);
    }
  });

  it('declares every view a view reads in its dependsOn', () => {
    for (const view of VIEWS) {
      const body = viewSql(view.name).replace(/--.*$/gm, '');
      const read = VIEWS.filter(
        (other) => other.name !== view.name && new RegExp(`\\b(FROM|JOIN)\\s+${other.name}\\b`, 'i').test(body),
      );
      expect(read.map((v) => v.name).sort(), view.name).toEqual([...view.dependsOn].sort());
    }
  });

  it('has a dedup view for every canonical table', () => {
    for (const table of TABLE_NAMES) expect(VIEWS.map((v) => v.name)).toContain(`${table}_latest`);
  });

  it('opens every view file with a comment that says what one row is', () => {
    for (const view of VIEWS) expect(viewSql(view.name), view.name).toMatch(/^-- .*one row/i);
  });

  it.each(VIEWS.map((v) => v.name))('%s parses as Trino SQL', (name) => {
    expect(trino.validate(createViewSql(name))).toEqual([]);
  });

  it('fails when asked for a view that is not registered', () => {
    expect(() => viewSql('no_such_view')).toThrow(/unknown view "no_such_view"/);
  });

  it('notices a Trino syntax error (the check can fail)', () => {
    expect(trino.validate('SELECT a FROM t WHERE')).not.toEqual([]);
  });
});

import { readdirSync } from 'node:fs';
import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../../lambdas/core/schema/canonical.ts';
import { MATERIALISED_TABLES } from '../../sql/materialised.ts';
import { BUILD_ORDER, createViewSql, VIEWS, VIEWS_DIR, viewSql } from '../../sql/registry.ts';

const trino = new TrinoSQL();

describe('view registry', () => {
  it('registers every file of sql/views exactly once', () => {
    const files = readdirSync(VIEWS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    const fromFiles = VIEWS.flatMap((v) => ('file' in v.source ? [v.source.file] : []));
    expect(fromFiles.sort()).toEqual(files);
    expect(new Set(VIEWS.map((v) => v.name)).size).toBe(VIEWS.length);
  });

  it('creates every view and materialised table once, each after everything it depends on', () => {
    const seen = new Set<string>();
    for (const step of BUILD_ORDER) {
      const object = step.kind === 'view' ? step.view : step.table;
      for (const dependency of object.dependsOn)
        expect(seen, `${object.name} needs ${dependency} first`).toContain(dependency);
      expect(seen, `${object.name} created twice`).not.toContain(object.name);
      seen.add(object.name);
    }
    expect(seen.size).toBe(VIEWS.length + MATERIALISED_TABLES.length);
  });

  it('declares every view and materialised table a view reads in its dependsOn', () => {
    const names = [...VIEWS.map((v) => v.name), ...MATERIALISED_TABLES.map((t) => t.name)];
    for (const view of VIEWS) {
      const body = viewSql(view.name).replace(/--.*$/gm, '');
      const read = names.filter(
        (other) => other !== view.name && new RegExp(`\\b(FROM|JOIN)\\s+${other}\\b`, 'i').test(body),
      );
      expect(read.sort(), view.name).toEqual([...view.dependsOn].sort());
    }
  });

  it('has the scorecard read the materialised metric rows, not the chain of metric views', () => {
    const dependencies = (name: string): string[] => {
      const view = VIEWS.find((v) => v.name === name);
      return view ? view.dependsOn.flatMap((d) => [d, ...dependencies(d)]) : [];
    };
    expect(dependencies('scorecard')).toEqual(['metric_values']);
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

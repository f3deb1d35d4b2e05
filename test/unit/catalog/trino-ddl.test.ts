import { TrinoSQL } from 'dt-sql-parser';
import { describe, expect, it } from 'vitest';
import {
  DDL_DEFAULTS,
  ddlScript,
  localLakeDir,
  referenceFiles,
  trinoDdl,
  viewStatements,
  writeReferenceFiles,
} from '../../../lambdas/core/catalog/trino-ddl.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { referenceTables } from '../../../lambdas/core/reference/tables.ts';
import { TABLE_NAMES } from '../../../lambdas/core/schema/canonical.ts';
import { glueColumns } from '../../../lambdas/core/schema/derive.ts';
import type { ObjectStore } from '../../../lambdas/core/store/object-store.ts';
import { METRIC_VALUES } from '../../../sql/materialised.ts';
import { BUILD_ORDER, createViewSql } from '../../../sql/registry.ts';

const tables = referenceTables(parseConfig({}));
const statements = trinoDdl({ location: 's3://lake-bucket/prod/', referenceTables: tables });
const sqlOf = (step: string, name: string) =>
  statements.filter((s) => s.step === step && s.name === name).map((s) => s.sql);

describe('trinoDdl', () => {
  it('creates the schema, then works inside it', () => {
    expect(statements.slice(0, 2).map((s) => s.sql)).toEqual([
      `CREATE SCHEMA IF NOT EXISTS ${DDL_DEFAULTS.catalog}.${DDL_DEFAULTS.schema}`,
      `USE ${DDL_DEFAULTS.catalog}.${DDL_DEFAULTS.schema}`,
    ]);
  });

  it('orders tables before their partitions, every table before the views, views in build order', () => {
    const steps = statements.map((s) => `${s.step} ${s.name}`);
    const canonical = TABLE_NAMES.flatMap((t) => [`table ${t}`, `table ${t}`, `partitions ${t}`]);
    const reference = tables.flatMap((t) => [`reference ${t.name}`, `reference ${t.name}`]);
    const built = BUILD_ORDER.map((s) => (s.kind === 'view' ? `view ${s.view.name}` : `materialised ${s.table.name}`));
    expect(steps.slice(2)).toEqual([...canonical, ...reference, ...built]);
  });

  it('declares each canonical table with the Glue columns in Trino types, dt last, over its curated folder', () => {
    const [drop, create] = sqlOf('table', 'interactions');
    expect(drop).toBe('DROP TABLE IF EXISTS interactions');
    const declared = [...(create ?? '').matchAll(/^ {2}(\w+) ([a-z0-9()]+)/gm)].map((m) => [m[1], m[2]]);
    const types: Record<string, string> = { string: 'varchar', timestamp: 'timestamp(3)' };
    expect(declared).toEqual([
      ...glueColumns('interactions').map((c) => [c.name, types[c.type] ?? c.type]),
      ['dt', 'varchar'],
    ]);
    expect(create).toContain(
      "external_location = 's3://lake-bucket/prod/curated/interactions',\n  format = 'PARQUET',\n  partitioned_by = ARRAY['dt']",
    );
    expect(create).toContain("created_at timestamp(3) COMMENT 'When the contact started (UTC); partitions the table.'");
    expect(sqlOf('partitions', 'interactions')).toEqual([
      "CALL hive.system.sync_partition_metadata('servicebench', 'interactions', 'FULL')",
    ]);
  });

  it('reads each reference table as JSON lines under reference/', () => {
    const [, create] = sqlOf('reference', 'targets');
    expect(create).toBe(
      [
        'CREATE TABLE targets (',
        '  metric varchar,',
        '  scope varchar,',
        '  goal double,',
        '  amber_band double',
        ')',
        'WITH (',
        "  external_location = 's3://lake-bucket/prod/reference/targets',",
        "  format = 'JSON'",
        ')',
      ].join('\n'),
    );
  });

  it('creates each view with the registry DDL and keeps a materialised table that exists', () => {
    expect(sqlOf('view', 'scorecard')).toEqual([createViewSql('scorecard')]);
    const [create] = sqlOf('materialised', METRIC_VALUES.name);
    expect(create).toMatch(/^CREATE TABLE IF NOT EXISTS metric_values \(\n {2}dimension varchar COMMENT/);
    expect(create).toMatch(
      / {2}family varchar COMMENT [^\n]*,\n {2}grain varchar COMMENT [^\n]*,\n {2}period_start date COMMENT [^\n]*\n\)\nWITH \(\n {2}format = 'PARQUET',\n {2}partitioned_by = ARRAY\['family', 'grain', 'period_start'\]\n\)$/,
    );
    expect(statements.some((s) => s.sql.startsWith('DROP TABLE IF EXISTS metric_values'))).toBe(false);
  });

  it('writes statements the Trino grammar accepts', () => {
    const parser = new TrinoSQL();
    const rejected = statements
      .filter((s) => s.step !== 'view')
      .map((s) => ({ sql: s.sql.slice(0, 60), errors: parser.validate(s.sql) }))
      .filter((s) => s.errors.length > 0);
    expect(rejected).toEqual([]);
  });

  it('uses the catalog, schema and a local location as given, quoting literals', () => {
    const local = trinoDdl({
      location: "local:///tmp/o'lake",
      catalog: 'lake',
      schema: 'bench',
      referenceTables: [],
    }).map((s) => s.sql);
    expect(local).toContain('USE lake.bench');
    expect(local).toContain("CALL lake.system.sync_partition_metadata('bench', 'survey_responses', 'FULL')");
    expect(local.join('\n')).toContain("external_location = 'local:///tmp/o''lake/curated/survey_responses'");
  });

  it("reads the stack's curated bucket, whose tables are at its root, with an empty curated prefix", () => {
    const sql = trinoDdl({ location: 's3://curated-bucket', curatedPrefix: '', referenceTables: tables })
      .map((s) => s.sql)
      .join('\n');
    expect(sql).toContain("external_location = 's3://curated-bucket/interactions'");
    expect(sql).toContain("external_location = 's3://curated-bucket/reference/targets'");
  });

  it('fails with every problem at once: location, catalog, schema, curated prefix and reference table names', () => {
    expect(() =>
      trinoDdl({
        location: '/tmp/lake',
        catalog: 'Hive',
        schema: 'my-schema',
        curatedPrefix: 'curated',
        referenceTables: [{ name: 'bad name', columns: [] }],
      }),
    ).toThrow(
      'cannot generate the Trino DDL: location "/tmp/lake" must be a URI such as local:///abs/path/to/lake or s3://bucket/prefix; ' +
        'catalog "Hive" must be a lower-case identifier; schema "my-schema" must be a lower-case identifier; ' +
        `curatedPrefix "curated" must be '' or folder names each ending with /; ` +
        'reference table "bad name" must be a lower-case identifier',
    );
  });
});

describe('viewStatements', () => {
  it('are the views of trinoDdl, in the same order, for catalogs that declare their tables elsewhere', () => {
    expect(viewStatements()).toEqual(statements.filter((s) => s.step === 'view'));
    expect(viewStatements().map((s) => s.name)).toEqual(
      BUILD_ORDER.flatMap((s) => (s.kind === 'view' ? [s.view.name] : [])),
    );
  });
});

describe('ddlScript', () => {
  it('ends every statement with a semicolon, one blank line apart, for the Trino CLI', () => {
    const script = ddlScript([
      { step: 'schema', name: 's', sql: 'CREATE SCHEMA IF NOT EXISTS hive.s' },
      { step: 'session', name: 's', sql: 'USE hive.s' },
    ]);
    expect(script).toBe('CREATE SCHEMA IF NOT EXISTS hive.s;\n\nUSE hive.s;\n');
  });
});

describe('reference files', () => {
  const table = {
    name: 'targets',
    columns: [
      { name: 'metric', type: 'string' as const },
      { name: 'goal', type: 'double' as const },
    ],
    rows: [{ metric: 'nps', goal: 30, note: 'not a column' }, { metric: 'csat_pct' }],
  };

  it('holds each row as one JSON line with exactly the declared columns (missing ones null)', () => {
    expect(referenceFiles([table])).toEqual([
      { key: 'reference/targets/rows.json', body: '{"metric":"nps","goal":30}\n{"metric":"csat_pct","goal":null}\n' },
    ]);
  });

  it('writes them to any object store', async () => {
    const written: [string, unknown, string | undefined][] = [];
    const store = {
      write: async (key: string, body: unknown, type?: string) => {
        written.push([key, body, type]);
      },
    } as unknown as ObjectStore;
    await writeReferenceFiles(store, referenceFiles([table]));
    expect(written).toEqual([
      ['reference/targets/rows.json', referenceFiles([table])[0]?.body, 'application/x-ndjson'],
    ]);
  });
});

describe('localLakeDir', () => {
  it('is the folder of a local location and undefined for an object store', () => {
    expect(localLakeDir('local:///srv/lake/')).toBe('/srv/lake');
    expect(localLakeDir('local:///')).toBe('/');
    expect(localLakeDir('s3://bucket/lake')).toBeUndefined();
  });
});

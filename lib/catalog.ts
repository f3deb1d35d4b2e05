import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { REFERENCE_PREFIX } from '../lambdas/core/catalog/trino-ddl.ts';
import { materialisedTableKey } from '../lambdas/core/env/refresh.ts';
import type { ReferenceTable } from '../lambdas/core/reference/tables.ts';
import { TABLE_NAMES } from '../lambdas/core/schema/canonical.ts';
import { TYPE_MAPPING } from '../lambdas/core/schema/columns.ts';
import { glueColumns } from '../lambdas/core/schema/derive.ts';
import { MATERIALISED_TABLES, type MaterialisedColumnType, type MaterialisedTable } from '../sql/materialised.ts';
import { pascal } from './ids.ts';
import { resourceNames } from './names.ts';

export const CATALOG_DEFAULTS = {
  /** Folder of the curated bucket holding the reference tables written by the views deployer. */
  referencePrefix: REFERENCE_PREFIX,
  /**
   * Folder of the curated bucket holding the materialised tables the refresh writes, one folder per
   * table; no canonical table reads it (they read `<table>/dt=…/`).
   */
  materialisedPrefix: 'materialised/',
} as const;

/** Glue (Hive) spelling of the SQL types a materialised table declares. */
const GLUE_TYPES: Readonly<Record<MaterialisedColumnType, string>> = {
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  VARCHAR: 'string',
  DOUBLE: 'double',
  BIGINT: 'bigint',
  BOOLEAN: 'boolean',
};

const PARQUET = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serdeInfo: {
    serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    parameters: { 'serialization.format': '1' },
  },
};

const JSON_LINES = {
  inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
  serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
};

export interface CatalogProps {
  readonly curated: s3.IBucket;
  /** Reference tables the views read (from referenceTables(config)); only their columns are used here. */
  readonly referenceTables: readonly Pick<ReferenceTable, 'name' | 'columns'>[];
  /** @default the stack's derived name (lib/names.ts): `servicebench` for the stack `ServiceBench` */
  readonly databaseName?: string;
  /**
   * First date (yyyy-MM-dd) of the projected `dt` partitions: the config's `lake.partitionsFrom`,
   * before which the normaliser rejects rows, so no curated row lies outside the projection.
   */
  readonly projectionStart: string;
}

/**
 * Glue database with one table per canonical table, columns derived from the canonical schema and
 * `dt` partitions projected by Athena (no crawlers, no partition maintenance), the reference tables
 * as JSON lines under `reference/<name>/` of the curated bucket, and the materialised tables of
 * sql/materialised.ts as Parquet under `materialised/<name>/`, their partitions registered by the
 * refresh's INSERT (see materialisedTableInput).
 */
export class Catalog extends Construct {
  readonly database: glue.CfnDatabase;
  readonly databaseName: string;
  readonly tables: glue.CfnTable[] = [];
  /** The materialised tables, by name, for the grants of the refresh that writes them. */
  readonly materialisedTables = new Map<string, glue.CfnTable>();
  readonly referencePrefix = CATALOG_DEFAULTS.referencePrefix;
  readonly materialisedPrefix = CATALOG_DEFAULTS.materialisedPrefix;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    this.databaseName = props.databaseName ?? resourceNames(Stack.of(this).stackName).glueDatabase;
    const { projectionStart } = props;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(projectionStart)) {
      throw new Error(`projectionStart must be a yyyy-MM-dd date (got ${JSON.stringify(projectionStart)})`);
    }
    const catalogId = Stack.of(this).account;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId,
      databaseInput: {
        name: this.databaseName,
        description: 'ServiceBench curated tables, reference tables and metric views',
      },
    });
    const location = (prefix: string) => `s3://${props.curated.bucketName}/${prefix}`;

    for (const tableName of TABLE_NAMES) {
      const table = new glue.CfnTable(this, pascal(tableName), {
        catalogId,
        databaseName: this.databaseName,
        tableInput: {
          name: tableName,
          tableType: 'EXTERNAL_TABLE',
          parameters: {
            EXTERNAL: 'TRUE',
            classification: 'parquet',
            'projection.enabled': 'true',
            'projection.dt.type': 'date',
            'projection.dt.format': 'yyyy-MM-dd',
            'projection.dt.range': `${projectionStart},NOW`,
            'projection.dt.interval': '1',
            'projection.dt.interval.unit': 'DAYS',
            'storage.location.template': `${location(tableName)}/dt=\${dt}/`,
          },
          partitionKeys: [{ name: 'dt', type: 'string', comment: 'UTC date of the partition column (yyyy-MM-dd).' }],
          storageDescriptor: {
            location: `${location(tableName)}/`,
            columns: glueColumns(tableName),
            ...PARQUET,
          },
        },
      });
      table.addResourceDependency(this.database);
      this.tables.push(table);
    }

    for (const reference of props.referenceTables) {
      const table = new glue.CfnTable(this, `Reference${pascal(reference.name)}`, {
        catalogId,
        databaseName: this.databaseName,
        tableInput: {
          name: reference.name,
          tableType: 'EXTERNAL_TABLE',
          parameters: { EXTERNAL: 'TRUE', classification: 'json' },
          storageDescriptor: {
            location: `${location(`${this.referencePrefix}${reference.name}`)}/`,
            columns: reference.columns.map((c) => ({ name: c.name, type: TYPE_MAPPING[c.type].glue })),
            ...JSON_LINES,
          },
        },
      });
      table.addResourceDependency(this.database);
      this.tables.push(table);
    }

    for (const materialised of MATERIALISED_TABLES) {
      const table = new glue.CfnTable(this, `Materialised${pascal(materialised.name)}`, {
        catalogId,
        databaseName: this.databaseName,
        tableInput: materialisedTableInput(
          materialised,
          location(materialisedTableKey(this.materialisedPrefix, materialised.name)),
        ),
      });
      table.addResourceDependency(this.database);
      this.tables.push(table);
      this.materialisedTables.set(materialised.name, table);
    }
  }
}

/**
 * The Glue table of a materialised table, derived from its declaration: columns in declared order
 * with the partition columns moved to the partition keys, Parquet, at `location`.
 *
 * Partitions are registered in the catalog, not projected: Athena's INSERT INTO writes a partition's
 * files under `<location><column>=<value>/` and adds the partition to the Glue table, and the
 * refresh's `ALTER TABLE … DROP PARTITION` removes it; with projection enabled Athena would ignore
 * both, and a Glue or Hive reader other than Athena (Trino, EMR) sees only registered partitions.
 * metric_values has one partition per family, grain and period (about 65 per family and year), so
 * a query for one period reads that period's files; the refresh registers them as it writes them.
 */
export function materialisedTableInput(table: MaterialisedTable, location: string): glue.CfnTable.TableInputProperty {
  const partitioned = new Set(table.partitionedBy);
  const glueColumn = (c: MaterialisedTable['columns'][number]) => ({
    name: c.name,
    type: GLUE_TYPES[c.type],
    comment: c.description,
  });
  const partitionKeys = table.partitionedBy.map((name) => {
    const column = table.columns.find((c) => c.name === name);
    if (!column)
      throw new Error(`materialised table ${table.name} is partitioned by ${name}, which it does not declare`);
    return glueColumn(column);
  });
  return {
    name: table.name,
    description: table.description,
    tableType: 'EXTERNAL_TABLE',
    // Athena's INSERT writes Parquet with the codec this names.
    parameters: { EXTERNAL: 'TRUE', classification: 'parquet', 'parquet.compression': 'SNAPPY' },
    partitionKeys,
    storageDescriptor: {
      location,
      columns: table.columns.filter((c) => !partitioned.has(c.name)).map(glueColumn),
      ...PARQUET,
    },
  };
}

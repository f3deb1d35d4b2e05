import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { ReferenceTable } from '../lambdas/core/reference/tables.ts';
import { TABLE_NAMES } from '../lambdas/core/schema/canonical.ts';
import { glueColumns } from '../lambdas/core/schema/derive.ts';

export const CATALOG_DEFAULTS = {
  databaseName: 'servicebench',
  /** Earliest `dt` partition Athena projects; older exports are rare and can set their own start. */
  projectionStart: '2015-01-01',
  /** Folder of the curated bucket holding the reference tables written by the views deployer. */
  referencePrefix: 'reference/',
} as const;

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
  /** @default CATALOG_DEFAULTS.databaseName */
  readonly databaseName?: string;
  /** First date (yyyy-MM-dd) of the projected `dt` partitions. @default CATALOG_DEFAULTS.projectionStart */
  readonly projectionStart?: string;
}

/**
 * Glue database with one table per canonical table, columns derived from the canonical schema and
 * `dt` partitions projected by Athena (no crawlers, no partition maintenance), plus the reference
 * tables as JSON lines under `reference/<name>/` of the curated bucket.
 */
export class Catalog extends Construct {
  readonly database: glue.CfnDatabase;
  readonly databaseName: string;
  readonly tables: glue.CfnTable[] = [];
  readonly referencePrefix = CATALOG_DEFAULTS.referencePrefix;

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    this.databaseName = props.databaseName ?? CATALOG_DEFAULTS.databaseName;
    const projectionStart = props.projectionStart ?? CATALOG_DEFAULTS.projectionStart;
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
            columns: reference.columns.map((c) => ({ name: c.name, type: c.type })),
            ...JSON_LINES,
          },
        },
      });
      table.addResourceDependency(this.database);
      this.tables.push(table);
    }
  }
}

/** `survey_responses` → `SurveyResponses`: stable construct ids derived from stable table names. */
export function pascal(name: string): string {
  return name
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../lambdas/core/config/defaults.ts';
import { referenceTables } from '../../lambdas/core/reference/tables.ts';
import { TABLE_NAMES } from '../../lambdas/core/schema/canonical.ts';
import { glueColumns } from '../../lambdas/core/schema/derive.ts';
import { METRIC_VALUES, PERIOD_TABLES } from '../../sql/materialised.ts';
import { fixtureConfig, synth } from './support.ts';

const { template } = synth();
/** The default stack, ServiceBench, keeps the database name every deployment so far has. */
const DATABASE = 'servicebench';
const curatedLocation = (suffix: string) => ({
  'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^StorageCurated') }, suffix]],
});

describe('Catalog', () => {
  it('creates one Glue database and no crawler', () => {
    template.resourceCountIs('AWS::Glue::Database', 1);
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: DATABASE } });
    template.resourceCountIs('AWS::Glue::Crawler', 0);
  });

  it.each(TABLE_NAMES)('declares %s as Parquet with the columns derived from the canonical schema', (table) => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: DATABASE,
      TableInput: {
        Name: table,
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [Match.objectLike({ Name: 'dt', Type: 'string' })],
        StorageDescriptor: {
          Columns: glueColumns(table).map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
          Location: curatedLocation(`/${table}/`),
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
        },
      },
    });
  });

  it('projects the dt partitions as dates, so no partition is ever registered', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: {
        Name: 'interactions',
        Parameters: Match.objectLike({
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': `${DEFAULTS.partitionsFrom},NOW`,
          'projection.dt.interval.unit': 'DAYS',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's own placeholder, kept literally
          'storage.location.template': curatedLocation('/interactions/dt=${dt}/'),
        }),
      },
    });
  });

  it("starts the projection on the config's lake.partitionsFrom, the day the normaliser rejects rows before", () => {
    const config = fixtureConfig({ lake: { partitionsFrom: '2021-01-01' } });
    synth({ config }).template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: { Name: 'interactions', Parameters: Match.objectLike({ 'projection.dt.range': '2021-01-01,NOW' }) },
    });
  });

  it('declares every reference table the views read, as JSON lines under reference/', () => {
    const reference = referenceTables(fixtureConfig());
    expect(reference.map((t) => t.name)).toEqual(
      expect.arrayContaining(['benchmarks', 'targets', 'metric_options', 'metric_catalogue', 'composite_weights']),
    );
    for (const table of reference) {
      template.hasResourceProperties('AWS::Glue::Table', {
        TableInput: {
          Name: table.name,
          StorageDescriptor: {
            Columns: table.columns.map((c) => ({ Name: c.name, Type: c.type })),
            Location: curatedLocation(`/reference/${table.name}/`),
            SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          },
        },
      });
    }
  });

  const glueType = {
    DATE: 'date',
    TIMESTAMP: 'timestamp',
    VARCHAR: 'string',
    DOUBLE: 'double',
    BIGINT: 'bigint',
    BOOLEAN: 'boolean',
  } as const;
  const column = (c: (typeof METRIC_VALUES.columns)[number]) => ({
    Name: c.name,
    Type: glueType[c.type],
    Comment: c.description,
  });

  it('declares metric_values from its declaration: Parquet under materialised/, partitioned by family, grain and period', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: DATABASE,
      TableInput: {
        Name: 'metric_values',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [
          { Name: 'family', Type: 'string', Comment: Match.anyValue() },
          { Name: 'grain', Type: 'string', Comment: Match.anyValue() },
          { Name: 'period_start', Type: 'date', Comment: Match.anyValue() },
        ],
        StorageDescriptor: {
          Columns: METRIC_VALUES.columns.filter((c) => !METRIC_VALUES.partitionedBy.includes(c.name)).map(column),
          Location: curatedLocation('/materialised/metric_values/'),
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          SerdeInfo: Match.objectLike({
            SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
          }),
        },
      },
    });
  });

  it.each(PERIOD_TABLES.map((t) => [t.name, t] as const))(
    'declares the period table %s from its declaration: Parquet under materialised/, partitioned by grain and period, partitions registered',
    (name, table) => {
      template.hasResourceProperties('AWS::Glue::Table', {
        DatabaseName: DATABASE,
        TableInput: {
          Name: name,
          TableType: 'EXTERNAL_TABLE',
          Parameters: Match.objectLike({ classification: 'parquet', 'projection.enabled': Match.absent() }),
          PartitionKeys: [
            { Name: 'grain', Type: 'string', Comment: Match.anyValue() },
            { Name: 'period_start', Type: 'date', Comment: Match.anyValue() },
          ],
          StorageDescriptor: Match.objectLike({
            Columns: table.columns.filter((c) => !table.partitionedBy.includes(c.name)).map(column),
            Location: curatedLocation(`/materialised/${name}/`),
          }),
        },
      });
    },
  );

  it('registers the partitions of metric_values rather than projecting them, so INSERT INTO and DROP PARTITION take effect', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      TableInput: {
        Name: 'metric_values',
        Parameters: {
          EXTERNAL: 'TRUE',
          classification: 'parquet',
          'parquet.compression': 'SNAPPY',
          'projection.enabled': Match.absent(),
        },
      },
    });
  });

  it('keeps the logical id of the metric_values table', () => {
    const tables = template.findResources('AWS::Glue::Table', {
      Properties: { TableInput: { Name: 'metric_values' } },
    });
    expect(Object.keys(tables)).toEqual(['CatalogMaterialisedMetricValues364D253C']);
  });
});

describe('QueryWorkgroup', () => {
  it('enforces engine v3, KMS-encrypted results in the results bucket, a scan limit and CloudWatch metrics', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'servicebench',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10_000_000_000,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: {
            'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^StorageAthenaResults') }, '/results/']],
          },
          EncryptionConfiguration: {
            EncryptionOption: 'SSE_KMS',
            KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageKey'), 'Arn'] },
          },
        },
      },
    });
  });

  it('takes the scan limit from the config', () => {
    const config = fixtureConfig({ deployment: { athenaBytesScannedCutoff: 50_000_000 } });
    synth({ config }).template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 50_000_000 }),
    });
  });
});

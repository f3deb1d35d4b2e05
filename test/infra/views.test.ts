import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Capture, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { referenceFiles, viewStatements } from '../../lambdas/core/catalog/trino-ddl.ts';
import { referenceTables } from '../../lambdas/core/reference/tables.ts';
import { BUILD_ORDER } from '../../sql/registry.ts';
import {
  DATABASE_REF,
  fixtureConfig,
  glueTablePattern,
  synth,
  WORKGROUP_ARN_PATTERN,
  WORKGROUP_REF,
} from './support.ts';

const { template, outdir } = synth();
const definitionsOf = (dir: string, key: string) =>
  JSON.parse(readFileSync(join(dir, `asset.${key}`), 'utf8')) as {
    views: { name: string; ddl: string }[];
    referenceFiles: { key: string; body: string }[];
  };

describe('MetricViews', () => {
  it('names every view, in build order, and the reference tables in its properties', () => {
    template.hasResourceProperties('Custom::ServiceBenchViews', {
      Views: BUILD_ORDER.flatMap((step) => (step.kind === 'view' ? [step.view.name] : [])),
      ReferenceTables: referenceTables(fixtureConfig()).map((t) => t.name),
      DefinitionsBucket: { 'Fn::Sub': Match.stringLikeRegexp('assets') },
      DefinitionsKey: Match.stringLikeRegexp('^[0-9a-f]{64}\\.json$'),
    });
  });

  it('ships the view DDL and the reference files the Trino DDL generator gives, in a content-addressed asset', () => {
    const key = new Capture();
    template.hasResourceProperties('Custom::ServiceBenchViews', { DefinitionsKey: key });
    const definitions = definitionsOf(outdir, key.asString());
    expect(definitions.views).toEqual(viewStatements().map((v) => ({ name: v.name, ddl: v.sql })));
    expect(definitions.referenceFiles).toEqual(referenceFiles(referenceTables(fixtureConfig())));
    expect(definitions.referenceFiles.every((f) => f.key.startsWith('reference/'))).toBe(true);

    const retargeted = synth({ config: fixtureConfig({ targets: [{ metric: 'csat_pct', goal: 90 }] }) }).template;
    const otherKey = new Capture();
    retargeted.hasResourceProperties('Custom::ServiceBenchViews', { DefinitionsKey: otherKey });
    expect(otherKey.asString()).not.toBe(key.asString());
  });

  it('is served by a Provider whose handler is the views deployer, after the tables and the workgroup exist', () => {
    const resources = template.findResources('Custom::ServiceBenchViews');
    const [resource] = Object.values(resources);
    expect(resource?.DependsOn).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^WorkgroupWorkGroup/),
        expect.stringMatching(/^CatalogInteractions/),
        expect.stringMatching(/^CatalogMaterialisedMetricValues/),
      ]),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'framework.onEvent',
      Environment: {
        Variables: {
          USER_ON_EVENT_FUNCTION_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ViewsDeployerFunction'), 'Arn'] },
        },
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('creates the Athena views'),
      Runtime: 'nodejs22.x',
      Timeout: 900,
      Environment: {
        Variables: Match.objectLike({
          ATHENA_WORKGROUP: WORKGROUP_REF,
          GLUE_DATABASE: DATABASE_REF,
          REFERENCE_PREFIX: 'reference/',
          CURATED_BUCKET: { Ref: Match.stringLikeRegexp('^StorageCurated') },
        }),
      },
    });
  });

  it('lets the deployer manage tables of its own database only, and write only the reference prefix', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes('ViewsDeployerRole'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const glue = statements.find((s) => JSON.stringify(s.Action).includes('glue:CreateTable'));
    expect(JSON.stringify(glue?.Resource)).toMatch(glueTablePattern('*'));
    const writes = statements.find(
      (s) => JSON.stringify(s.Action).includes('s3:PutObject') && JSON.stringify(s.Resource).includes('StorageCurated'),
    );
    expect(JSON.stringify(writes?.Resource)).toContain('/reference/*');
    const athena = statements.find((s) => JSON.stringify(s.Action).includes('athena:StartQueryExecution'));
    expect(JSON.stringify(athena?.Resource)).toMatch(WORKGROUP_ARN_PATTERN);
    const definitions = statements.find(
      (s) => s.Action === 's3:GetObject' && JSON.stringify(s.Resource).includes('.json'),
    );
    expect(JSON.stringify(definitions?.Resource)).toMatch(/cdk-[a-z0-9]+-assets-.*\/[0-9a-f]{64}\.json"/);
  });
});

import { createHash } from 'node:crypto';
import { Capture, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { referenceTables } from '../../lambdas/core/reference/tables.ts';
import { createViewSql, VIEWS } from '../../sql/registry.ts';
import { fixtureConfig, synth } from './support.ts';

const { template } = synth();

describe('MetricViews', () => {
  it('creates every registered view, in registry order, with the DDL the local engine runs', () => {
    const views = new Capture();
    template.hasResourceProperties('Custom::ServiceBenchViews', { Views: views });
    expect(views.asArray()).toEqual(VIEWS.map((v) => ({ Name: v.name, Ddl: createViewSql(v.name) })));
  });

  it('carries the reference rows and their hash, so a config change updates the resource', () => {
    const rows = new Capture();
    const hash = new Capture();
    template.hasResourceProperties('Custom::ServiceBenchViews', { ReferenceTables: rows, ReferenceHash: hash });
    const expected = referenceTables(fixtureConfig()).map((t) => ({ name: t.name, rows: t.rows }));
    expect(JSON.parse(rows.asString())).toEqual(expected);
    expect(hash.asString()).toBe(createHash('sha256').update(rows.asString()).digest('hex'));

    const retargeted = synth({ config: fixtureConfig({ targets: [{ metric: 'csat_pct', goal: 90 }] }) }).template;
    const otherHash = new Capture();
    retargeted.hasResourceProperties('Custom::ServiceBenchViews', { ReferenceHash: otherHash });
    expect(otherHash.asString()).not.toBe(hash.asString());
  });

  it('is served by a Provider whose handler is the views deployer, after the tables and the workgroup exist', () => {
    const resources = template.findResources('Custom::ServiceBenchViews');
    const [resource] = Object.values(resources);
    expect(resource?.DependsOn).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^WorkgroupWorkGroup/),
        expect.stringMatching(/^CatalogInteractions/),
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
          ATHENA_WORKGROUP: 'servicebench',
          GLUE_DATABASE: 'servicebench',
          REFERENCE_PREFIX: 'reference/',
          CURATED_BUCKET: { Ref: Match.stringLikeRegexp('^StorageCurated') },
        }),
      },
    });
  });

  it('lets the deployer manage tables of its own database only, and write only the reference prefix', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('ViewsDeployerRole'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const glue = statements.find((s) => JSON.stringify(s.Action).includes('glue:CreateTable'));
    expect(JSON.stringify(glue?.Resource)).toContain(':table/servicebench/*');
    const writes = statements.find(
      (s) => JSON.stringify(s.Action).includes('s3:PutObject') && JSON.stringify(s.Resource).includes('StorageCurated'),
    );
    expect(JSON.stringify(writes?.Resource)).toContain('/reference/*');
    const athena = statements.find((s) => JSON.stringify(s.Action).includes('athena:StartQueryExecution'));
    expect(JSON.stringify(athena?.Resource)).toContain(':workgroup/servicebench');
  });
});

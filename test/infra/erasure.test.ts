/**
 * The erasure function: its environment and a policy that reaches only what holds customers, plus
 * the metric refresh it starts.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ERASURE_DEFAULTS } from '../../lib/erasure.ts';
import { synth } from './support.ts';

const { template } = synth();
const eraserProps = { Description: Match.stringLikeRegexp('erases customers') };

/** A resource as `<construct of its logical id, without the hash>:<suffix>`, e.g. `StorageCurated:/interactions/*`. */
function describeResource(resource: unknown): string {
  const text = JSON.stringify(resource);
  const logicalId = /"(?:Ref|Fn::GetAtt)":\[?"([A-Za-z0-9]+?)[0-9A-F]{8}"/.exec(text)?.[1] ?? text;
  const suffix = /"(\/[^"]*)"\]\]\}$/.exec(text)?.[1] ?? '';
  return `${logicalId}:${suffix}`;
}

/** The eraser role's statements, each as its sorted actions and described resources. */
function eraserStatements(): { actions: string[]; resources: string[] }[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes('ErasureEraserRole'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
    .map((s) => ({
      actions: [s.Action].flat().sort(),
      resources: [s.Resource].flat().map(describeResource).sort(),
    }));
}

describe('Erasure', () => {
  it('runs one at a time for up to 15 minutes, with the buckets, the secret and the refresh function in its typed environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ...eraserProps,
      Timeout: 900,
      MemorySize: ERASURE_DEFAULTS.memorySize,
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: Match.objectLike({
          LANDING_BUCKET: { Ref: Match.stringLikeRegexp('^StorageLanding') },
          CURATED_BUCKET: { Ref: Match.stringLikeRegexp('^StorageCurated') },
          QUARANTINE_BUCKET: { Ref: Match.stringLikeRegexp('^StorageQuarantine') },
          PSEUDONYM_SECRET_ARN: { Ref: Match.stringLikeRegexp('^IngestionPseudonymKey') },
          REFRESH_FUNCTION: { Ref: Match.stringLikeRegexp('^RefreshRefresherFunction') },
        }),
      },
    });
    template.hasOutput('ErasureFunction', { Value: { Ref: Match.stringLikeRegexp('^ErasureEraserFunction') } });
  });

  it('rewrites only the customer tables and its records in the curated bucket, and the rejects under the source prefixes', () => {
    const statements = eraserStatements();
    expect(statements).toContainEqual({
      actions: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      resources: [
        'StorageCurated:/_erasures/*',
        'StorageCurated:/_staging/customer_activity/*',
        'StorageCurated:/_staging/interactions/*',
        'StorageCurated:/_staging/survey_responses/*',
        'StorageCurated:/customer_activity/*',
        'StorageCurated:/interactions/*',
        'StorageCurated:/survey_responses/*',
      ],
    });
    expect(statements).toContainEqual({
      actions: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
      resources: ['StorageQuarantine:/connect/*', 'StorageQuarantine:/zendesk/*'],
    });
    // The landing bucket is only asked whether an object is there (HeadObject needs s3:GetObject).
    expect(statements).toContainEqual({
      actions: ['s3:GetObject'],
      resources: ['StorageLanding:/connect/*', 'StorageLanding:/zendesk/*'],
    });
    const landing = statements.filter((s) => s.resources.some((r) => r.startsWith('StorageLanding:/')));
    expect(landing.map((s) => s.actions)).toEqual([['s3:GetObject']]);
    const everyResource = statements.flatMap((s) => s.resources);
    expect(everyResource.filter((r) => r.includes('ingestion_audit') || r.endsWith(':/*'))).toEqual([]);
  });

  it('may invoke the metric refresh function (unqualified, i.e. $LATEST), and no other function, version or alias', () => {
    const invokes = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes('ErasureEraserRole'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
      .filter((s) => JSON.stringify(s.Action).includes('lambda:'));
    const refresh = { 'Fn::GetAtt': [expect.stringMatching(/^RefreshRefresherFunction[0-9A-F]{8}$/), 'Arn'] };
    expect(invokes).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: [{ 'Fn::Join': ['', [refresh, ':$LATEST']] }, refresh],
      },
    ]);
  });

  it('uses the lake key and reads the pseudonym secret, and nothing else', () => {
    const statements = eraserStatements();
    expect(statements).toContainEqual({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['StorageKey:'],
    });
    expect(statements).toContainEqual({
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      resources: ['IngestionPseudonymKey:'],
    });
    const actions = new Set(statements.flatMap((s) => s.actions));
    expect([...actions].sort()).toEqual([
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'lambda:InvokeFunction',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:DeleteObject',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
  });
});

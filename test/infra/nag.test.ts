import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { fixtureConfig, nagFindings, synth } from './support.ts';

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the stack', () => {
    const { outdir } = synth({ nag: true });
    expect(nagFindings(outdir)).toEqual([]);
  });

  it('finds nothing unacknowledged with SES delivery, a Chromium layer and destroyable data', () => {
    const { outdir } = synth({
      nag: true,
      allowDestroy: true,
      chromiumLayerArn: 'arn:aws:lambda:eu-west-1:123456789012:layer:chromium:3',
      config: fixtureConfig({ deployment: { sesSender: 'reports@acme.example', alarmEmail: 'ops@acme.example' } }),
    });
    expect(nagFindings(outdir)).toEqual([]);
  });

  it('fails when a grant is broader than an acknowledgement covers', () => {
    const { outdir } = synth({
      nag: true,
      extend: (stack) => {
        stack.ingestion.normaliser.role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['s3:*'], resources: [stack.storage.landing.arnForObjects('*')] }),
        );
      },
    });
    expect(nagFindings(outdir).map((f) => f.ruleId)).toContain('AwsSolutions-IAM5[Action::s3:*]');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig, type ServiceBenchConfig } from '../../lambdas/core/config/config.ts';
import { ServiceBenchStack, type ServiceBenchStackProps } from '../../lib/servicebench-stack.ts';

/** A small config exercising every option the stack reads. */
export function fixtureConfig(overrides: Record<string, unknown> = {}): ServiceBenchConfig {
  return parseConfig({
    organisation: 'Acme Support',
    sources: [
      { name: 'zendesk', adapter: 'zendesk' },
      { name: 'connect', adapter: 'amazon-connect-ctr', timeZone: 'Europe/Paris' },
    ],
    targets: [{ metric: 'csat_pct', goal: 85 }],
    reports: [
      {
        name: 'monthly-exec',
        schedule: 'cron(0 7 1 * ? *)',
        timeZone: 'Europe/Paris',
        recipients: ['ceo@example.com', 'ops@example.com'],
      },
      { name: 'weekly-ops', schedule: 'cron(0 6 ? * MON *)', period: 'previous-week', recipients: ['ops@example.com'] },
    ],
    deployment: { alarmEmail: 'alarms@example.com', maxNormaliserConcurrency: 4 },
    ...overrides,
  });
}

export interface SynthOptions extends Partial<Omit<ServiceBenchStackProps, 'config'>> {
  readonly config?: ServiceBenchConfig;
  /** Run cdk-nag AwsSolutions on the app. */
  readonly nag?: boolean;
  /** Really bundle the Lambdas with esbuild (slow); otherwise asset bundling is skipped. */
  readonly bundle?: boolean;
  /** Changes the stack before synthesis (to prove a check fails). */
  readonly extend?: (stack: ServiceBenchStack) => void;
}

/** The app's own context (feature flags) from cdk.json, so tests synthesise what `cdk synth` does. */
const CDK_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

export function synth(options: SynthOptions = {}) {
  const app = new App({
    context: {
      ...CDK_CONTEXT,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  const { config, nag, bundle, extend, ...props } = options;
  const stack = new ServiceBenchStack(app, 'ServiceBench', { config: config ?? fixtureConfig(), ...props });
  extend?.(stack);
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // The built-in CloudFormation schema validation costs seconds per synth; the cdk-nag test keeps it.
  const previous = process.env.CDK_VALIDATION;
  if (!nag) process.env.CDK_VALIDATION = 'false';
  try {
    const assembly = app.synth();
    return { app, stack, template: Template.fromStack(stack), outdir: assembly.directory };
  } finally {
    if (previous === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = previous;
  }
}

export interface NagFinding {
  readonly ruleId: string;
  readonly path: string;
  readonly message: string;
}

/** Unacknowledged cdk-nag findings from the synthesised assembly's validation report. */
export function nagFindings(outdir: string): NagFinding[] {
  const file = readdirSync(outdir).find((f) => f.endsWith('validation-report.json'));
  if (!file) return [];
  const report = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as unknown;
  return collectFindings(report);
}

function collectFindings(report: unknown): NagFinding[] {
  const findings: NagFinding[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.ruleName === 'string' && Array.isArray(record.violatingConstructs)) {
        for (const construct of record.violatingConstructs as { constructPath?: string }[]) {
          findings.push({
            ruleId: record.ruleName,
            path: construct.constructPath ?? '?',
            message: String(record.description ?? ''),
          });
        }
      }
      Object.values(record).forEach(visit);
    }
  };
  visit(report);
  return findings;
}

/** How functions name the workgroup and the database: by reference, so they are created after both. */
export const WORKGROUP_REF = { Ref: Match.stringLikeRegexp('^WorkgroupWorkGroup') };
export const DATABASE_REF = { Ref: Match.stringLikeRegexp('^CatalogDatabase') };

/** An IAM resource (rendered as JSON) under the stack's Glue database: `table/<database>/<rest>`. */
export function glueTablePattern(rest: string): RegExp {
  return new RegExp(`:table/",\\{"Ref":"CatalogDatabase[0-9A-F]+"\\},"/${rest.replace(/[*]/g, '\\*')}"`);
}

/** An IAM resource (rendered as JSON) naming the stack's workgroup. */
export const WORKGROUP_ARN_PATTERN = /:workgroup\/",\{"Ref":"WorkgroupWorkGroup[0-9A-F]+"\}/;

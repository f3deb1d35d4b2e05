/**
 * Strict config: every unknown key, unknown metric id, duplicate target and scope that names
 * nothing is an error, all reported by one validateConfig, each with its path, value and fix.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loadConfig,
  parseConfig,
  suggestion,
  validateConfig,
} from '../../../lambdas/core/config/config.ts';
import { EXAMPLE_CONFIG_FILE } from '../../../lambdas/core/config/locate.ts';
import { loadFunctionConfig } from '../../../lambdas/core/env/environment.ts';
import { exporterConfigJson } from '../../../lambdas/core/env/exporter.ts';
import { normaliserConfigJson } from '../../../lambdas/core/env/normaliser.ts';

function problemsOf(raw: unknown): readonly string[] {
  try {
    validateConfig(raw, 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const SOCIAL = { name: 'social', adapter: 'social', options: { brandHandles: ['AcmeHelp'] } };

describe('validateConfig', () => {
  it('rejects "target" for "targets", naming the key and the fix', () => {
    expect(problemsOf({ target: [{ metric: 'nps', goal: 30 }] })).toEqual([
      expect.stringMatching(
        /^target: unknown key \(got "target"\); remove it or use one of .*; did you mean "targets"\?$/,
      ),
    ]);
  });

  it('rejects "timezone" in a source (did you mean timeZone) and at the top level (where timeZone belongs)', () => {
    expect(problemsOf({ sources: [{ ...SOCIAL, timezone: 'Europe/Paris' }] })).toEqual([
      expect.stringMatching(/^sources\.0\.timezone: unknown key \(got "timezone"\);.* did you mean "timeZone"\?$/),
    ]);
    expect(problemsOf({ timezone: 'Europe/Paris' })).toEqual([
      expect.stringMatching(
        /^timezone: unknown key .*; "timeZone" is a key of sources\[\], reporting, schedules\[\] and reports\[\]$/,
      ),
    ]);
  });

  it('rejects "minSampel" in metrics', () => {
    expect(problemsOf({ metrics: { minSampel: 50 } })).toEqual([
      expect.stringMatching(
        /^metrics\.minSampel: unknown key \(got "minSampel"\); remove it or use one of minSample, .*; did you mean "minSample"\?$/,
      ),
    ]);
  });

  it('rejects an unknown metric id in a target, listing the ids and the likely one', () => {
    const [problem, ...rest] = problemsOf({ targets: [{ metric: 'csat', goal: 85 }] });
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^targets\.0\.metric: unknown value \(got "csat"\); use one of csat_pct, csat_mean, nps,/);
    expect(problem).toMatch(/; did you mean "csat_pct"\?$/);
  });

  it('rejects unknown metric ids in composite weights and unknown report sections', () => {
    expect(
      problemsOf({
        compositeWeights: { csat_pct: 2, nsp: 1, service_index: 1 },
        reports: [{ name: 'monthly', schedule: 'cron(0 7 1 * ? *)', sections: ['kpis', 'trend'] }],
      }),
    ).toEqual([
      expect.stringMatching(/^reports\.0\.sections\.1: unknown value \(got "trend"\); .*; did you mean "trends"\?$/),
      expect.stringMatching(/^compositeWeights\.nsp: unknown metric id \(got "nsp"\); .*; did you mean "nps"\?$/),
      expect.stringMatching(/^compositeWeights\.service_index: unknown metric id/),
    ]);
  });

  it('rejects unknown keys at every level, adapter options included', () => {
    expect(
      problemsOf({
        sources: [{ ...SOCIAL, options: { ...SOCIAL.options, feilds: { text: 'body' } } }],
        lake: { partitionFrom: '2020-01-01' },
        deployment: { alarmEmial: 'ops@example.com' },
        reports: [{ name: 'm', schedule: 'rate(1 day)', recipient: ['a@example.com'] }],
        targets: [{ metric: 'nps', goal: 30, amber: 0.1 }],
      }),
    ).toEqual([
      expect.stringMatching(/^lake\.partitionFrom: unknown key .*did you mean "partitionsFrom"\?$/),
      expect.stringMatching(/^deployment\.alarmEmial: unknown key .*did you mean "alarmEmail"\?$/),
      expect.stringMatching(/^reports\.0\.recipient: unknown key .*did you mean "recipients"\?$/),
      expect.stringMatching(/^targets\.0\.amber: unknown key .*did you mean "amberBand"\?$/),
      expect.stringMatching(/^sources\.0\.options\.feilds: unknown key .*did you mean "fields"\?$/),
    ]);
  });

  it('rejects a duplicate target, naming both', () => {
    expect(
      problemsOf({
        targets: [
          { metric: 'nps', goal: 30 },
          { metric: 'nps', goal: 30, scope: 'team:Billing' },
          { metric: 'nps', goal: 40, scope: 'overall' },
        ],
      }),
    ).toEqual(['targets.2: duplicate target for nps at scope overall (also targets.0); keep one of them']);
  });

  it('rejects scopes that name no dimension, no configured source or no channel', () => {
    expect(
      problemsOf({
        sources: [SOCIAL],
        targets: [
          { metric: 'nps', goal: 30, scope: 'region:EU' },
          { metric: 'nps', goal: 30, scope: 'source:socail' },
          { metric: 'nps', goal: 30, scope: 'channel:phone' },
          { metric: 'nps', goal: 30, scope: 'source:social' },
        ],
        reports: [{ name: 'm', schedule: 'rate(1 day)', scope: 'channel:emial' }],
      }),
    ).toEqual([
      expect.stringMatching(/^targets\.0\.scope: scope "region:EU" must be "overall" or "<dimension>:<value>"/),
      'targets.1.scope: scope names no configured source (got "source:socail"); use one of source:social; did you mean "social"?',
      expect.stringMatching(
        /^targets\.2\.scope: scope names no channel \(got "channel:phone"\); channels are voice, chat,/,
      ),
      expect.stringMatching(
        /^reports\.0\.scope: scope names no channel \(got "channel:emial"\);.*did you mean "email"\?$/,
      ),
    ]);
  });

  it('rejects a target at a dimension that cannot attribute its metric', () => {
    expect(problemsOf({ targets: [{ metric: 'abandonment_rate', goal: 5, scope: 'agent:ann' }] })).toEqual([
      'targets.0.scope: abandonment_rate is never produced per agent (got "agent:ann"); set its target at overall or per channel, queue, source',
    ]);
    expect(problemsOf({ targets: [{ metric: 'aht_s', goal: 300, scope: 'agent:ann' }] })).toEqual([]);
  });

  it('reports every problem of one file together', () => {
    const problems = problemsOf({
      target: [],
      timezone: 'UTC',
      metrics: { minSampel: 10 },
      sources: [{ name: 'calls', adapter: 'zendsk' }],
      targets: [{ metric: 'ahts', goal: 300 }],
    });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'target',
      'timezone',
      'metrics.minSampel',
      'targets.0.metric',
      'sources.0.adapter',
    ]);
    expect(problems[4]).toMatch(/did you mean "zendesk"\?$/);
  });

  it("checks each source's options with its adapter's schema", () => {
    expect(problemsOf({ sources: [{ name: 'social', adapter: 'social', options: {} }] })).toEqual([
      expect.stringMatching(/^sources\.0\.options\.brandHandles: say how brand posts are recognised/),
    ]);
  });

  it('accepts the shipped example config and the config slice each Lambda is given', () => {
    const config = loadConfig(EXAMPLE_CONFIG_FILE);
    expect(config.sources.length).toBeGreaterThan(10);
    expect(() => validateConfig(JSON.parse(exporterConfigJson(config)))).not.toThrow();
    expect(() => validateConfig(JSON.parse(normaliserConfigJson(config)))).not.toThrow();
  });

  it("gives the exporter the alert rules and the retention horizon its report's sections read", () => {
    const config = loadConfig(EXAMPLE_CONFIG_FILE);
    const slice = validateConfig(JSON.parse(exporterConfigJson(config)));
    expect(config.alerts.rules.length).toBeGreaterThan(0);
    expect(slice.alerts).toEqual(config.alerts);
    expect(slice.retention).toEqual(config.retention);
  });

  it('gives the exporter the reporting zone its scheduled periods are read in', () => {
    const config = parseConfig({
      reporting: { timeZone: 'Europe/Paris', teams: { Night: { timeZone: 'Asia/Tokyo' } } },
    });
    expect(validateConfig(JSON.parse(exporterConfigJson(config))).reporting).toEqual(config.reporting);
  });

  it("fails a Lambda's cold start on a bundled config with an unknown key", () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-function-config-'));
    writeFileSync(join(dir, 'servicebench.config.json'), JSON.stringify({ reports: [], organization: 'Acme' }));
    expect(() => loadFunctionConfig('servicebench.config.json', { LAMBDA_TASK_ROOT: dir })).toThrow(
      /organization: unknown key \(got "organization"\);.*did you mean "organisation"\?/,
    );
  });

  it('accepts every mapping shipped in examples/mappings', () => {
    const dir = new URL('../../../examples/mappings/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(5);
    const sources = files.map((file) => ({
      name: file.replace(/\.json$/, '').replace(/[^a-z0-9-]/g, '-'),
      adapter: 'mapping',
      options: { mapping: JSON.parse(readFileSync(new URL(file, dir), 'utf8')) },
    }));
    expect(problemsOf({ sources })).toEqual([]);
  });
});

describe('suggestion', () => {
  it('offers the closest candidate only when a typo could have produced it', () => {
    expect(suggestion('minSampel', ['minSample', 'shortAbandonS'])).toBe('; did you mean "minSample"?');
    expect(suggestion('timezone', ['timeZone'])).toBe('; did you mean "timeZone"?');
    expect(suggestion('csat', ['asa_s', 'csat_pct'])).toBe('; did you mean "csat_pct"?');
    expect(suggestion('organisation', ['sources', 'targets'])).toBe('');
  });
});

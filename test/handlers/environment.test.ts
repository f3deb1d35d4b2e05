import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import {
  assertEnvironmentSize,
  CONFIG_GZIP_THRESHOLD_BYTES,
  configJson,
  EnvironmentError,
  parseEnvironment,
} from '../../lambdas/core/env/environment.ts';
import { EXPORTER_DEFAULTS, exporterEnvSchema } from '../../lambdas/core/env/exporter.ts';
import { normaliserConfigJson, normaliserEnvSchema } from '../../lambdas/core/env/normaliser.ts';

const config = parseConfig({ sources: [{ name: 'zendesk', adapter: 'zendesk-tickets' }] });

describe('typed Lambda environments', () => {
  it('round-trips the config slice a function needs, and only that', () => {
    const value = normaliserConfigJson(config);
    expect(value.startsWith('{')).toBe(true);
    expect(JSON.parse(value)).toEqual({ sources: config.sources });
    expect(configJson.parse(value).sources).toEqual(config.sources);
  });

  it('gzips a long slice and decodes it back', () => {
    const long = parseConfig({
      sources: Array.from({ length: 20 }, (_, i) => ({
        name: `source-${i}`,
        adapter: 'generic',
        options: { delimiter: ';' },
      })),
    });
    const value = normaliserConfigJson(long);
    expect(JSON.stringify({ sources: long.sources }).length).toBeGreaterThan(CONFIG_GZIP_THRESHOLD_BYTES);
    expect(value.startsWith('gzip:')).toBe(true);
    expect(configJson.parse(value).sources).toEqual(long.sources);
  });

  it('parses a complete environment and applies defaults', () => {
    const settings = parseEnvironment('exporter', exporterEnvSchema, {
      SERVICEBENCH_CONFIG: '{}',
      ATHENA_WORKGROUP: 'servicebench',
      GLUE_DATABASE: 'servicebench',
      EXPORTS_BUCKET: 'exports',
    });
    expect(settings.LINK_TTL_SECONDS).toBe(EXPORTER_DEFAULTS.linkTtlSeconds);
    expect(settings.SES_SENDER).toBeUndefined();
  });

  it('fails with every missing or bad variable named at once', () => {
    const parse = () =>
      parseEnvironment('normaliser', normaliserEnvSchema, {
        SERVICEBENCH_CONFIG: '{"sources":[{"name":"Bad Name","adapter":"x"}]}',
        LANDING_BUCKET: '',
      });
    expect(parse).toThrow(EnvironmentError);
    expect(parse).toThrow(/SERVICEBENCH_CONFIG: [\s\S]*sources\.0\.name/);
    expect(parse).toThrow(/LANDING_BUCKET: must be the landing bucket name/);
    expect(parse).toThrow(/CURATED_BUCKET/);
    expect(parse).toThrow(/PSEUDONYM_SECRET_ARN/);
  });

  it('fails when an environment is over the Lambda limit', () => {
    expect(() => assertEnvironmentSize('Normaliser', { BIG: 'x'.repeat(5000) })).toThrow(
      /over Lambda's 4096-byte limit/,
    );
    expect(() => assertEnvironmentSize('Normaliser', { SMALL: 'x' })).not.toThrow();
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import {
  assertEnvironmentSize,
  CONFIG_FILE_NAME,
  EnvironmentError,
  loadFunctionConfig,
  parseEnvironment,
} from '../../../lambdas/core/env/environment.ts';
import { erasureEnvSchema } from '../../../lambdas/core/env/erasure.ts';
import { EXPORTER_DEFAULTS, exporterEnvSchema } from '../../../lambdas/core/env/exporter.ts';
import { normaliserConfigJson, normaliserEnvSchema } from '../../../lambdas/core/env/normaliser.ts';

const config = parseConfig({ sources: [{ name: 'zendesk', adapter: 'zendesk' }] });

describe('typed Lambda environments', () => {
  it('round-trips the config slice a function needs, and only that, through its bundled file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-task-'));
    writeFileSync(join(dir, CONFIG_FILE_NAME), normaliserConfigJson(config));
    expect(JSON.parse(normaliserConfigJson(config))).toEqual({ sources: config.sources, alerts: config.alerts });
    expect(loadFunctionConfig(CONFIG_FILE_NAME, { LAMBDA_TASK_ROOT: dir }).sources).toEqual(config.sources);
  });

  it('fails naming the file when the bundled config is missing or invalid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-task-'));
    expect(() => loadFunctionConfig(CONFIG_FILE_NAME, { LAMBDA_TASK_ROOT: dir })).toThrow(/cannot read the file/);
    writeFileSync(join(dir, CONFIG_FILE_NAME), '{"sources":[{"name":"Bad Name","adapter":"x"}]}');
    expect(() => loadFunctionConfig(CONFIG_FILE_NAME, { LAMBDA_TASK_ROOT: dir })).toThrow(/sources\.0\.name/);
  });

  it('parses a complete environment and applies defaults', () => {
    const settings = parseEnvironment('exporter', exporterEnvSchema, {
      ATHENA_WORKGROUP: 'servicebench',
      GLUE_DATABASE: 'servicebench',
      EXPORTS_BUCKET: 'exports',
      LINK_SIGNER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:link-signer-AbCdEf',
    });
    expect(settings.LINK_TTL_SECONDS).toBe(EXPORTER_DEFAULTS.linkTtlSeconds);
    expect(settings.SERVICEBENCH_CONFIG_FILE).toBe(CONFIG_FILE_NAME);
    expect(settings.SES_SENDER).toBeUndefined();
  });

  it('fails with every missing or bad variable named at once', () => {
    const parse = () =>
      parseEnvironment('normaliser', normaliserEnvSchema, {
        SERVICEBENCH_CONFIG_FILE: '',
        LANDING_BUCKET: '',
      });
    expect(parse).toThrow(EnvironmentError);
    expect(parse).toThrow(/SERVICEBENCH_CONFIG_FILE: must be the bundled config file name/);
    expect(parse).toThrow(/LANDING_BUCKET: must be the landing bucket name/);
    expect(parse).toThrow(/CURATED_BUCKET/);
    expect(parse).toThrow(/PSEUDONYM_SECRET_ARN/);
  });

  it('gives the erasure function its buckets, secret and refresh function only, naming each one missing or empty', () => {
    const env = {
      LANDING_BUCKET: 'landing',
      CURATED_BUCKET: 'curated',
      QUARANTINE_BUCKET: 'quarantine',
      PSEUDONYM_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:pseudonym-key-AbCdEf',
      REFRESH_FUNCTION: 'servicebench-refresh',
    };
    expect(parseEnvironment('erasure', erasureEnvSchema, { ...env, SPOOL_DIR: '/tmp' })).toEqual(env);
    const parse = () => parseEnvironment('erasure', erasureEnvSchema, { CURATED_BUCKET: '' });
    expect(parse).toThrow(/LANDING_BUCKET: must be set to the landing bucket name/);
    expect(parse).toThrow(/CURATED_BUCKET: must be the curated bucket name/);
    expect(parse).toThrow(/QUARANTINE_BUCKET[\s\S]*PSEUDONYM_SECRET_ARN[\s\S]*REFRESH_FUNCTION/);
  });

  it('fails when an environment is over the Lambda limit', () => {
    expect(() => assertEnvironmentSize('Normaliser', { BIG: 'x'.repeat(5000) })).toThrow(
      /over Lambda's 4096-byte limit/,
    );
    expect(() => assertEnvironmentSize('Normaliser', { SMALL: 'x' })).not.toThrow();
  });
});

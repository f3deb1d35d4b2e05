import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { EXAMPLE_CONFIG_FILE } from '../../lambdas/core/config/locate.ts';
import { APP_DEFAULTS, appSettings, CONTEXT_KEYS } from '../../lib/app-settings.ts';

const context = (values: Record<string, unknown>) => (key: string) => values[key];

describe('appSettings', () => {
  it('uses ./servicebench.config.json when present, retains data and names the stack ServiceBench', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-app-'));
    writeFileSync(join(dir, 'servicebench.config.json'), '{}');
    expect(appSettings(context({}), dir)).toEqual({
      configFile: join(dir, 'servicebench.config.json'),
      config: parseConfig({}),
      usingExample: false,
      allowDestroy: false,
      stackName: APP_DEFAULTS.stackName,
    });
  });

  it('falls back to the shipped example config, like the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-app-'));
    expect(appSettings(context({}), dir)).toMatchObject({ configFile: EXAMPLE_CONFIG_FILE, usingExample: true });
  });

  it('reads every setting from context, accepting -c strings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-app-'));
    writeFileSync(join(dir, 'prod.json'), '{}');
    const settings = appSettings(
      context({
        [CONTEXT_KEYS.config]: 'prod.json',
        [CONTEXT_KEYS.allowDestroy]: 'true',
        [CONTEXT_KEYS.chromiumLayerArn]: 'arn:aws:lambda:eu-west-1:123456789012:layer:chromium:3',
        [CONTEXT_KEYS.stackName]: 'ServiceBench-Prod',
      }),
      dir,
    );
    expect(settings).toEqual({
      configFile: join(dir, 'prod.json'),
      config: parseConfig({}),
      usingExample: false,
      allowDestroy: true,
      chromiumLayerArn: 'arn:aws:lambda:eu-west-1:123456789012:layer:chromium:3',
      stackName: 'ServiceBench-Prod',
    });
  });

  it('fails with every bad context value at once, each named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-app-'));
    const read = () =>
      appSettings(
        context({
          [CONTEXT_KEYS.config]: 'missing.json',
          [CONTEXT_KEYS.allowDestroy]: 'yes',
          [CONTEXT_KEYS.chromiumLayerArn]: 'chromium',
          [CONTEXT_KEYS.stackName]: '1 stack',
        }),
        dir,
      );
    expect(read).toThrow(/servicebench:config: file .*missing\.json does not exist/);
    expect(read).toThrow(/servicebench:allowDestroy: must be true or false \(got "yes"\)/);
    expect(read).toThrow(/servicebench:chromiumLayerArn: must be a versioned Lambda layer ARN/);
    expect(read).toThrow(
      /servicebench:stackName: must be a CloudFormation stack name: letters, digits and hyphens, starting with a letter \(got "1 stack"\)/,
    );
  });

  it('fails on a stack name longer than CloudFormation allows, and takes one of exactly 128 characters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-app-'));
    writeFileSync(join(dir, 'servicebench.config.json'), '{}');
    const longest = `S${'b'.repeat(127)}`;
    expect(appSettings(context({ [CONTEXT_KEYS.stackName]: longest }), dir).stackName).toBe(longest);
    expect(() => appSettings(context({ [CONTEXT_KEYS.stackName]: `${longest}x` }), dir)).toThrow(
      /servicebench:stackName: must be a CloudFormation stack name: at most 128 characters \(got 129\)/,
    );
  });

  it('fails on every config problem together with the context problems, each naming the file and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-app-'));
    writeFileSync(join(dir, 'servicebench.config.json'), '{ "target": [], "metrics": { "minSampel": 5 } }');
    const read = () => appSettings(context({ [CONTEXT_KEYS.allowDestroy]: 'yes' }), dir);
    expect(read).toThrow(/servicebench:allowDestroy: must be true or false/);
    expect(read).toThrow(/servicebench\.config\.json: target: unknown key \(got "target"\);.*did you mean "targets"\?/);
    expect(read).toThrow(/servicebench\.config\.json: metrics\.minSampel: unknown key .*did you mean "minSample"\?/);
  });
});

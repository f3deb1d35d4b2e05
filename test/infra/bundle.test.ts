import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { CONFIG_FILE_NAME } from '../../lambdas/core/env/environment.ts';
import { synth } from './support.ts';

/** The one test that really runs esbuild on every handler, as `cdk synth` and `cdk deploy` do. */
describe('Lambda bundles', () => {
  const { template, outdir } = synth({ bundle: true });
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) =>
    String(f.Properties.Description).startsWith('ServiceBench'),
  );
  const assetDir = (fn: (typeof functions)[number]) => {
    const key = String(fn.Properties.Code.S3Key);
    return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
  };

  it('bundles each of the three handlers as an ESM module with its source map', () => {
    expect(functions).toHaveLength(3);
    for (const fn of functions) {
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(existsSync(join(assetDir(fn), 'index.mjs'))).toBe(true);
      expect(existsSync(join(assetDir(fn), 'index.mjs.map'))).toBe(true);
    }
  });

  it('ships the config slice next to the handlers that read one', () => {
    const withConfig = functions.filter((fn) => existsSync(join(assetDir(fn), CONFIG_FILE_NAME)));
    expect(withConfig.map((fn) => fn.Properties.Description).sort()).toEqual([
      'ServiceBench: normalises landed exports into curated Parquet',
      'ServiceBench: runs a scheduled report on Athena and delivers it',
    ]);
    for (const fn of withConfig) {
      const config = parseConfig(JSON.parse(readFileSync(join(assetDir(fn), CONFIG_FILE_NAME), 'utf8')));
      expect(config).toBeDefined();
    }
  });

  it('loads every bundle in Node and finds its handler', async () => {
    for (const fn of functions) {
      const module = (await import(pathToFileURL(join(assetDir(fn), 'index.mjs')).href)) as { handler?: unknown };
      expect(typeof module.handler).toBe('function');
    }
  });
});

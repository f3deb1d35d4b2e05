import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { CONFIG_FILE_NAME } from '../../lambdas/core/env/environment.ts';
import { fixtureConfig, synth } from './support.ts';

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

  it('bundles each handler as an ESM module with its source map', () => {
    expect(functions.map((f) => f.Properties.Description)).toEqual(
      expect.arrayContaining([
        'ServiceBench: normalises landed exports into curated Parquet',
        'ServiceBench: compacts touched curated partitions into one Parquet file each',
        'ServiceBench: runs a scheduled report on Athena and delivers it',
        'ServiceBench: writes the reference tables and creates the Athena views',
        'ServiceBench: rewrites the materialised metric tables on Athena',
      ]),
    );
    for (const fn of functions) {
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(existsSync(join(assetDir(fn), 'index.mjs'))).toBe(true);
      expect(existsSync(join(assetDir(fn), 'index.mjs.map'))).toBe(true);
    }
  });

  it('ships each handler that reads a config its slice: the sources to the normaliser, the reports to the exporter', () => {
    const shipped = (description: string) => {
      const fn = functions.find((f) => f.Properties.Description === description);
      if (!fn) throw new Error(`no function "${description}"`);
      const file = join(assetDir(fn), CONFIG_FILE_NAME);
      return existsSync(file) ? parseConfig(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
    };
    const fixture = fixtureConfig();
    const normaliser = shipped('ServiceBench: normalises landed exports into curated Parquet');
    expect(normaliser?.sources).toEqual(fixture.sources);
    expect(normaliser?.reports).toEqual([]);
    const exporter = shipped('ServiceBench: runs a scheduled report on Athena and delivers it');
    expect(exporter?.reports).toEqual(fixture.reports);
    expect(exporter?.organisation).toBe(fixture.organisation);
    expect(exporter?.sources).toEqual([]);
    expect(shipped('ServiceBench: writes the reference tables and creates the Athena views')).toBeUndefined();
    expect(shipped('ServiceBench: rewrites the materialised metric tables on Athena')).toBeUndefined();
  });

  it('loads every bundle in Node and finds its handler', async () => {
    for (const fn of functions) {
      const module = (await import(pathToFileURL(join(assetDir(fn), 'index.mjs')).href)) as { handler?: unknown };
      expect(typeof module.handler).toBe('function');
    }
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config/config.ts';
import { CONFIG_FILE_NAME } from '../../lambdas/core/env/environment.ts';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH } from '../../lambdas/report/pdf.ts';
import { PLAYWRIGHT_LAYER_FILES } from '../../lib/exports.ts';
import { PROJECT_ROOT } from '../../lib/paths.ts';
import { fixtureConfig, synth } from './support.ts';

/** Lambda's limit is 50 MB zipped; ours is 1 MB, so a cold start loads and parses little. */
const MAX_ZIPPED_BYTES = 1_000_000;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(join(dir, file)).isFile())
    .sort();
}

/**
 * Size of the folder as a zip archive the way CDK packs an asset (deflate at level 9): each file's
 * deflated bytes plus its local header (30 bytes + name) and central directory entry (46 bytes +
 * name), and the 22-byte end record.
 */
function zippedSize(dir: string): number {
  return filesUnder(dir).reduce((total, file) => {
    const deflated = deflateRawSync(readFileSync(join(dir, file)), { level: 9 }).length;
    return total + deflated + 30 + 46 + 2 * Buffer.byteLength(file);
  }, 22);
}

/** The one test that really runs esbuild on every handler, as `cdk synth` and `cdk deploy` do. */
describe('Lambda bundles', () => {
  const chromiumLayerArn = 'arn:aws:lambda:eu-west-1:123456789012:layer:chromium:3';
  const { template, outdir } = synth({ bundle: true, chromiumLayerArn });
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) =>
    String(f.Properties.Description).startsWith('ServiceBench'),
  );
  const assetDir = (fn: (typeof functions)[number]) => {
    const key = String(fn.Properties.Code.S3Key);
    return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
  };
  const layers = template.findResources('AWS::Lambda::LayerVersion');
  const [layerId, layer] = Object.entries(layers)[0] ?? [];
  const layerDir = join(outdir, `asset.${String(layer?.Properties.Content.S3Key).replace(/\.zip$/, '')}`);

  it('keeps every function asset under 1 MB zipped', () => {
    const sizes = Object.fromEntries(
      functions.map((fn) => [
        String(fn.Properties.Description).replace('ServiceBench: ', ''),
        zippedSize(assetDir(fn)),
      ]),
    );
    console.info(
      `zipped function assets:\n${Object.entries(sizes)
        .map(([what, bytes]) => `  ${(bytes / 1000).toFixed(0).padStart(5)} KB  ${what}`)
        .join('\n')}\n  ${(zippedSize(layerDir) / 1000).toFixed(0).padStart(5)} KB  (playwright-core layer)`,
    );
    // Every ServiceBench function, whichever constructs add them (five at least: the data path's).
    expect(Object.keys(sizes).length).toBeGreaterThanOrEqual(5);
    for (const [what, bytes] of Object.entries(sizes)) expect(bytes, what).toBeLessThan(MAX_ZIPPED_BYTES);
  });

  it('gives the exporter a layer with the run-time files of playwright-core only, beside the Chromium layer', () => {
    expect(Object.keys(layers)).toHaveLength(1);
    const exporter = functions.find((f) => String(f.Properties.Description).includes('runs a scheduled report'));
    expect(exporter?.Properties.Layers).toEqual([chromiumLayerArn, { Ref: layerId }]);
    const packageDir = join(layerDir, 'nodejs', 'node_modules', 'playwright-core');
    expect(filesUnder(layerDir).map((file) => relative(packageDir, join(layerDir, file)))).toEqual(
      [...PLAYWRIGHT_LAYER_FILES].sort(),
    );
    expect(filesUnder(layerDir).filter((file) => /\.map$|\.d\.ts$/.test(file))).toEqual([]);
    // The bundle leaves the driver to the layer: it names the package and holds none of its code.
    const bundle = readFileSync(join(assetDir(exporter as (typeof functions)[number]), 'index.mjs'), 'utf8');
    expect(bundle).toContain('"playwright-core"');
    expect(bundle).not.toContain('coreBundle');
  });

  it.skipIf(!existsSync(DEFAULT_CHROMIUM_PATH))(
    "prints a PDF with only the layer's playwright-core, found on NODE_PATH as in Lambda",
    () => {
      const script = `
        const { chromium } = require('playwright-core');
        (async () => {
          const browser = await chromium.launch({ executablePath: ${JSON.stringify(DEFAULT_CHROMIUM_PATH)}, args: ${JSON.stringify(CHROMIUM_ARGS)} });
          const page = await browser.newPage();
          await page.setContent('<h1>Layer</h1>');
          const pdf = await page.pdf({ format: 'A4' });
          await browser.close();
          process.stdout.write(pdf.subarray(0, 5).toString('latin1'));
        })().catch((error) => { console.error(error); process.exit(1); });`;
      const out = execFileSync(process.execPath, ['-e', script], {
        cwd: tmpdir(),
        env: { PATH: process.env.PATH ?? '', NODE_PATH: join(layerDir, 'nodejs', 'node_modules') },
        encoding: 'latin1',
        timeout: 60_000,
      });
      expect(out).toBe('%PDF-');
    },
    90_000,
  );

  it('reuses the cached bundles of a previous synth until one of their input files changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-bundle-cache-'));
    const entry = join(dir, 'probe.ts');
    // A separate process per synth, as `cdk synth` runs; it prints the bundles folder it used.
    const bundlesFolder = () =>
      execFileSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `import('./lib/function.ts').then((m) => process.stdout.write(m.handlerBundles(${JSON.stringify(entry)})))`,
        ],
        { cwd: PROJECT_ROOT, env: { ...process.env, SERVICEBENCH_SYNTH_CACHE: join(dir, 'cache') }, encoding: 'utf8' },
      );
    try {
      // A build rewrites the list of the inputs it read; a synth that reuses the bundles does not.
      const inputsListWritten = () => {
        const bundles = join(dir, 'cache', 'bundles');
        const [list] = readdirSync(bundles).filter((file) => file.endsWith('.inputs.json'));
        return statSync(join(bundles, list as string)).mtimeMs;
      };
      writeFileSync(entry, "export const handler = () => 'first build';\n");
      const first = bundlesFolder();
      const built = inputsListWritten();
      expect(readFileSync(join(first, 'probe', 'index.mjs'), 'utf8')).toContain('first build');
      expect(readdirSync(first).sort()).toEqual(expect.arrayContaining(['export', 'normalise', 'probe']));

      expect(bundlesFolder()).toBe(first);
      expect(inputsListWritten()).toBe(built);

      writeFileSync(entry, "export const handler = () => 'second build';\n");
      const second = bundlesFolder();
      expect(second).not.toBe(first);
      expect(readFileSync(join(second, 'probe', 'index.mjs'), 'utf8')).toContain('second build');
      expect(inputsListWritten()).toBeGreaterThan(built);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('bundles each handler as one minified ESM module, without source maps', () => {
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
      expect(readdirSync(assetDir(fn)).filter((file) => file.endsWith('.map'))).toEqual([]);
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

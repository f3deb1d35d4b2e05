import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { demoWindow } from '../../../demo/calendar.ts';
import { DEMO_SOURCES, demoConfig, generateDemoExports, simulateDemo } from '../../../demo/index.ts';
import { DEMO_DEFAULTS, parseDemoScale } from '../../../demo/options.ts';
import { Random } from '../../../demo/random.ts';
import { getAdapter } from '../../../lambdas/adapters/registry.ts';
import { loadConfig } from '../../../lambdas/core/config/config.ts';
import { EXAMPLE_CONFIG_FILE } from '../../../lambdas/core/config/locate.ts';

const SHORT = { months: 2, endMonth: '2025-06', scale: 0.1 } as const;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.useRealTimers();
});

function fingerprint(options: Parameters<typeof simulateDemo>[0]) {
  return simulateDemo(options).files.map((f) => ({
    key: `${f.source}/${f.key}`,
    body: f.body.toString('base64'),
    deliveredAt: f.deliveredAt.toISOString(),
  }));
}

describe('the seeded generator', () => {
  it('gives the same sequence for the same seed and independent streams per fork label', () => {
    const a = new Random(7);
    const b = new Random(7);
    const draws = (r: Random) => Array.from({ length: 5 }, () => r.next());
    expect(draws(a)).toEqual(draws(b));
    expect(draws(new Random(7).fork('zendesk'))).not.toEqual(draws(new Random(7).fork('connect')));
    expect(draws(new Random(7))).not.toEqual(draws(new Random(8)));
  });
});

describe('demo exports', () => {
  it('are byte-identical for the same seed', () => {
    expect(fingerprint({ ...SHORT, seed: 42 })).toEqual(fingerprint({ ...SHORT, seed: 42 }));
  });

  it('differ for a different seed', () => {
    const a = fingerprint({ ...SHORT, seed: 42 });
    const b = fingerprint({ ...SHORT, seed: 43 });
    expect(a.map((f) => f.body)).not.toEqual(b.map((f) => f.body));
  });

  it('do not depend on the current date', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-02-03T04:05:06Z'));
    const later = fingerprint({ ...SHORT, seed: 5 });
    vi.setSystemTime(new Date('2019-09-09T09:09:09Z'));
    expect(fingerprint({ ...SHORT, seed: 5 })).toEqual(later);
  });

  it('cover every demo source and stay inside the requested window', () => {
    const { files, period } = simulateDemo({ ...SHORT, seed: 1 });
    expect(period).toEqual({ from: '2025-05', to: '2025-06' });
    expect(new Set(files.map((f) => f.source))).toEqual(new Set(DEMO_SOURCES.map((s) => s.name)));
    const window = demoWindow('2025-06', 2);
    for (const file of files) {
      expect(file.deliveredAt.getTime()).toBeGreaterThan(window.start.getTime());
      // Monthly exports land within hours of the month end.
      expect(file.deliveredAt.getTime()).toBeLessThan(window.end.getTime() + 12 * 3600_000);
    }
  });

  it('plant malformed records in every format', () => {
    const { files } = simulateDemo({ seed: DEMO_DEFAULTS.seed, scale: 0.1 });
    for (const source of DEMO_SOURCES) {
      const planted = files.filter((f) => f.source === source.name).flatMap((f) => f.planted);
      expect(planted.length, source.name).toBeGreaterThanOrEqual(2);
    }
  });

  it('write each file under its source folder with its delivery time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-demo-gen-'));
    dirs.push(dir);
    const result = await generateDemoExports({ ...SHORT, seed: 3, dir });
    expect(result.files.length).toBeGreaterThan(10);
    for (const file of result.files) {
      expect(file.path).toBe(join(dir, file.source, ...file.key.split('/')));
      expect(readFileSync(file.path).byteLength).toBe(file.bytes);
      expect(statSync(file.path).mtime.getTime()).toBe(Math.floor(file.deliveredAt.getTime() / 1000) * 1000);
    }
  });

  it('fails when the window or the scale is not valid', () => {
    expect(() => simulateDemo({ endMonth: '2025-13' })).toThrow(/not a month/);
    expect(() => simulateDemo({ months: 0 })).toThrow(/months must be/);
    expect(() => simulateDemo({ scale: 0 })).toThrow(/scale must be/);
    expect(() => simulateDemo({ seed: -1 })).toThrow(/seed must be/);
    expect(parseDemoScale('small')).toBe(0.2);
    expect(parseDemoScale('0.5')).toBe(0.5);
    expect(() => parseDemoScale('huge')).toThrow(/small or full/);
    expect(() => parseDemoScale('-1')).toThrow(/above 0/);
  });
});

describe('demo sources', () => {
  it('name registered adapters with valid options', () => {
    for (const source of DEMO_SOURCES) {
      const adapter = getAdapter(source.adapter);
      const parsed = adapter.optionsSchema.safeParse(source.options);
      expect(parsed.success, `${source.name}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('are shipped in the example config exactly as the demo uses them', () => {
    expect(existsSync(EXAMPLE_CONFIG_FILE)).toBe(true);
    const config = loadConfig(EXAMPLE_CONFIG_FILE);
    for (const source of DEMO_SOURCES) {
      expect(config.sources.find((s) => s.name === source.name)).toEqual(source);
    }
  });

  it('replace configured sources of the same name and keep the others', () => {
    const config = demoConfig({
      ...loadConfig(EXAMPLE_CONFIG_FILE),
      sources: [
        { name: 'demo-zendesk', adapter: 'mapping', options: {} },
        { name: 'crm', adapter: 'mapping', options: {} },
      ],
    });
    expect(config.sources.map((s) => s.name)).toEqual(['crm', ...DEMO_SOURCES.map((s) => s.name)]);
    expect(config.sources.find((s) => s.name === 'demo-zendesk')?.adapter).toBe('zendesk');
  });
});

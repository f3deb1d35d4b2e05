import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDbEngine } from '../../../cli/duckdb.ts';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { LocalObjectStore } from '../../../lambdas/core/store/local.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import { parsePeriod } from '../../../lambdas/core/time/periods.ts';
import { slug, writeReport } from '../../../lambdas/report/write.ts';
import { fullReportEngine } from '../../support/report.ts';
import { startS3rver } from '../../support/s3rver.ts';

const config = parseConfig({ organisation: 'Acme Retail' });

describe('writeReport', () => {
  let engine: DuckDbEngine;
  let lake: string;
  beforeAll(async () => {
    engine = await fullReportEngine();
    lake = mkdtempSync(join(tmpdir(), 'sb-report-'));
  });
  afterAll(async () => {
    await engine.close();
    rmSync(lake, { recursive: true, force: true });
  });

  it('writes HTML and CSV under exports/ and skips the PDF with a reason when there is no Chromium', async () => {
    const store = new LocalObjectStore(lake);
    const result = await writeReport(engine, store, {
      period: parsePeriod('2025-06'),
      config,
      chromiumPath: '/nonexistent/chromium',
    });
    expect(result.files).toEqual([
      'exports/executive/2025-06/executive-2025-06.html',
      'exports/executive/2025-06/executive-2025-06.csv',
    ]);
    expect(result.skipped).toEqual([
      'exports/executive/2025-06/executive-2025-06.pdf: PDF skipped: no Chromium at /nonexistent/chromium (run scripts/install-chromium.sh)',
    ]);
    expect(readFileSync(join(lake, result.files[0] as string), 'utf8')).toContain('Customer service benchmark report');
    expect(readFileSync(join(lake, result.files[1] as string)).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('names scoped reports after the scope and writes only the formats asked for', async () => {
    const result = await writeReport(engine, new LocalObjectStore(lake), {
      period: parsePeriod('2025-06'),
      config,
      name: 'team-review',
      scope: { dimension: 'team', value: 'Billing & Payments' },
      formats: ['csv'],
    });
    expect(result).toEqual({
      files: ['exports/team-review/2025-06-team-billing-payments/team-review-2025-06-team-billing-payments.csv'],
      skipped: [],
    });
  });

  it('writes under another prefix for a store that is already the exports zone', async () => {
    const result = await writeReport(engine, new LocalObjectStore(lake), {
      period: parsePeriod('2025-06'),
      config,
      formats: ['csv'],
      keyPrefix: '',
    });
    expect(result.files).toEqual(['executive/2025-06/executive-2025-06.csv']);
  });

  it('writes to S3 through the same interface, with content types', async () => {
    const s3 = await startS3rver();
    try {
      await s3.createBucket('exports');
      const store = new S3ObjectStore({ client: s3.client, bucket: 'exports' });
      const result = await writeReport(engine, store, {
        period: parsePeriod('2025-06'),
        config,
        formats: ['html', 'csv'],
      });
      const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'exports', Key: result.files[0] }));
      expect(head.ContentType).toBe('text/html; charset=utf-8');
      const csv = await s3.client.send(new GetObjectCommand({ Bucket: 'exports', Key: result.files[1] }));
      expect(csv.ContentType).toBe('text/csv; charset=utf-8');
      expect(await csv.Body?.transformToString()).toContain('csat_pct');
    } finally {
      await s3.stop();
    }
  });

  it('fails when the report name would not make a safe key', async () => {
    await expect(
      writeReport(engine, new LocalObjectStore(lake), { period: parsePeriod('2025-06'), config, name: '../etc' }),
    ).rejects.toThrow(/report name "..\/etc"/);
  });

  it('fails on an unknown section before writing anything', async () => {
    await expect(
      writeReport(engine, new LocalObjectStore(lake), {
        period: parsePeriod('2025-06'),
        config,
        name: 'sections',
        sections: ['charts'],
      }),
    ).rejects.toThrow(/unknown report section/);
    expect(existsSync(join(lake, 'exports', 'sections'))).toBe(false);
  });
});

describe('slug', () => {
  it('makes scope values safe key segments', () => {
    expect(slug('Équipe Île-de-France / N°2')).toBe('equipe-ile-de-france-n-2');
    expect(slug('***')).toBe('scope');
  });
});

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { DEFAULT_REPORT_NAME, REPORT_FORMATS } from '../../../lambdas/core/config/reports.ts';
import { reportRequest } from '../../../lambdas/report/request.ts';

const config = parseConfig({
  reporting: { timeZone: 'Asia/Tokyo' },
  reports: [
    {
      name: 'billing-quarterly',
      schedule: 'cron(0 7 1 * ? *)',
      period: 'previous-quarter',
      scope: 'team:Billing',
      sections: ['kpis', 'trends'],
      formats: ['html'],
    },
  ],
});
const report = config.reports[0] as (typeof config.reports)[number];
// 16:00 UTC on 31 March 2025 is 01:00 on 1 April in Tokyo.
const now = new Date('2025-03-31T16:00:00Z');

describe('reportRequest', () => {
  it("takes a configured report's scope, sections and formats, and its period in the reporting zone", () => {
    expect(reportRequest(config, { kind: 'schedule', report }, now)).toEqual({
      name: 'billing-quarterly',
      period: expect.objectContaining({ grain: 'quarter', id: '2025-Q1' }),
      scope: { dimension: 'team', value: 'Billing' },
      sections: ['kpis', 'trends'],
      formats: ['html'],
    });
  });

  it('takes the command line as given, with the default name and every format', () => {
    const request = reportRequest(config, { kind: 'command', period: { period: 'ytd' } }, now);
    expect(request).toEqual({
      name: DEFAULT_REPORT_NAME,
      period: expect.objectContaining({ grain: 'range', id: '2025-01-01_2025-04-01' }),
      formats: REPORT_FORMATS,
    });
    expect(
      reportRequest(
        config,
        { kind: 'command', period: { from: '2025-04-15', to: '2025-06-15' }, name: 'spring', formats: ['csv'] },
        now,
      ),
    ).toMatchObject({ name: 'spring', formats: ['csv'], period: { id: '2025-04-15_2025-06-15' } });
  });

  it('refuses an export event that asks a scheduled report for a range, which Athena does not hold', () => {
    expect(() => reportRequest(config, { kind: 'schedule', report, period: 'ytd' }, now)).toThrow(
      /^report "billing-quarterly": period "ytd" is a range, and a range .* is computed on the local engine only/,
    );
    expect(reportRequest(config, { kind: 'schedule', report, period: '2025-06-02' }, now).period).toMatchObject({
      grain: 'week',
      id: '2025-W23',
    });
  });
});

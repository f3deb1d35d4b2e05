import { describe, expect, it } from 'vitest';
import { businessTimeLine } from '../../../lambdas/report/html.ts';
import { scorecardRow } from '../../support/report.ts';

describe('business time in the key metrics', () => {
  const rows = [
    // 3,900 s = 1.1 h; 30,600 s = 8.5 h; 172,800 s = 2.0 d; 259,200 s = 3.0 d.
    scorecardRow({ metric: 'first_response_business_median_s', value: 3_900 }),
    scorecardRow({ metric: 'first_response_median_s', value: 30_600 }),
    scorecardRow({ metric: 'resolution_business_median_s', value: 172_800 }),
    scorecardRow({ metric: 'resolution_median_s', value: 259_200 }),
    scorecardRow({
      metric: 'first_response_business_median_s',
      value: 60,
      dimension: 'team',
      dimension_value: 'Sales',
    }),
    scorecardRow({ metric: 'first_response_median_s', value: 600, dimension: 'team', dimension_value: 'Sales' }),
  ];

  it('names the business-time medians of the focus beside the calendar ones', () => {
    expect(businessTimeLine({ scope: null, rows })).toBe(
      '\n  <p class="muted small" data-business-time>Medians counting only the hours the configured schedules are open: ' +
        '<span data-metric="first_response_business_median_s">First response: <strong>1.1 h</strong> in business hours, 8.5 h in calendar time</span>' +
        ' · <span data-metric="resolution_business_median_s">Resolution: <strong>2.0 d</strong> in business hours, 3.0 d in calendar time</span>.</p>',
    );
    // A team report shows the team's figures: 60 s and 600 s = 10m 00s.
    expect(businessTimeLine({ scope: { dimension: 'team', value: 'Sales' }, rows })).toBe(
      '\n  <p class="muted small" data-business-time>Medians counting only the hours the configured schedules are open: ' +
        '<span data-metric="first_response_business_median_s">First response: <strong>60 s</strong> in business hours, 10m 00s in calendar time</span>.</p>',
    );
  });

  it('says nothing of business time when no schedule gave a figure', () => {
    expect(
      businessTimeLine({ scope: null, rows: [scorecardRow({ metric: 'first_response_median_s', value: 30_600 })] }),
    ).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { scorecardTable } from '../../../cli/commands/metrics.ts';
import { scorecardRow } from '../../support/report.ts';

describe('metrics --format table: the significance column', () => {
  const significance = (partial: Parameters<typeof scorecardRow>[0]) =>
    scorecardTable([scorecardRow(partial)])[0]?.significant;

  it('says yes or no where a test ran', () => {
    expect(significance({ metric: 'csat_pct', value: 80, change_significant: true, change_test: 'z_test' })).toBe(
      'yes',
    );
    expect(significance({ metric: 'csat_pct', value: 80, change_significant: false, change_test: 'z_test' })).toBe(
      'no',
    );
  });

  it('says why no test ran when the samples were too small, instead of a blank a reader takes for "no"', () => {
    expect(
      significance({ metric: 'transfer_rate', value: 25, change_significant: null, change_test: 'too_few_to_test' }),
    ).toBe('too few to test');
  });

  it('stays blank without a previous period or for a metric that has no test', () => {
    expect(significance({ metric: 'csat_pct', value: 80, change_significant: null, change_test: null })).toBe('');
    expect(significance({ metric: 'aht_s', value: 300, change_significant: null, change_test: 'not_tested' })).toBe('');
  });
});

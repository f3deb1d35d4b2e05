/** `servicebench validate-config` on a file with the typos users make: each is named with its fix. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG_FILE } from '../../lambdas/core/config/locate.ts';
import { runCli } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-validate-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('servicebench validate-config', () => {
  it('rejects target, timezone, minSampel and an unknown metric id at once, each with its fix, and exits 1', async () => {
    const file = join(dir, 'typos.jsonc');
    writeFileSync(
      file,
      `{
  // the usual slips
  "timezone": "Europe/London",
  "metrics": { "minSampel": 50 },
  "target": [{ "metric": "nps", "goal": 30 }],
  "targets": [{ "metric": "first_response_median", "goal": 3600 }]
}`,
    );
    const result = await runCli(['--config', file, 'validate-config']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${file}: 4 problem(s)`);
    expect(result.stderr).toMatch(
      /- timezone: unknown key \(got "timezone"\);.*"timeZone" is a key of sources\[\], reporting, schedules\[\] and reports\[\]\n/,
    );
    expect(result.stderr).toMatch(
      /- metrics\.minSampel: unknown key \(got "minSampel"\);.*did you mean "minSample"\?\n/,
    );
    expect(result.stderr).toMatch(/- target: unknown key \(got "target"\);.*did you mean "targets"\?\n/);
    expect(result.stderr).toMatch(
      /- targets\.0\.metric: unknown value \(got "first_response_median"\); use one of .*did you mean "first_response_median_s"\?\n/,
    );
  });

  it('accepts the shipped example and says what it holds', async () => {
    const result = await runCli(['--config', EXAMPLE_CONFIG_FILE, 'validate-config']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/servicebench\.config\.jsonc: valid \(\d+ sources, 1 reports\)/);
    expect(result.stdout).toContain('\nWhat each source feeds:\n');
    expect(result.stdout).toContain(
      '\ntwcs (social_mentions) feeds: social_volume, net_sentiment, brand_response_rate, brand_response_median_s, service_index\n',
    );
    expect(result.stdout).not.toContain('depends on each export');
    expect(result.stdout).toMatch(/\npwc-csat \(survey_responses\) feeds: csat_pct, csat_mean, service_index\n/);
  });

  it('says which metrics a mapping without queued_at cannot feed and which fields it leaves empty', async () => {
    writeFileSync(
      join(dir, 'tickets.json'),
      JSON.stringify({
        table: 'interactions',
        format: { type: 'csv' },
        fields: {
          interaction_id: { column: 'id' },
          channel: { const: 'email' },
          direction: { const: 'inbound' },
          created_at: { column: 'opened' },
          resolved_at: { column: 'solved' },
          is_abandoned: { const: false },
          is_callback: { const: false },
          updated_at: { field: 'created_at' },
        },
      }),
    );
    const file = join(dir, 'tickets.config.json');
    writeFileSync(
      file,
      JSON.stringify({ sources: [{ name: 'tickets', adapter: 'mapping', options: { mappingFile: 'tickets.json' } }] }),
    );
    const result = await runCli(['--config', file, 'validate-config']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '\ntickets (interactions) feeds: resolution_median_s, resolution_p90_s, service_index\n',
    );
    expect(result.stdout).toContain('asa_s, service_level_pct (needs queued_at, queue_s or answered_at)');
    expect(result.stdout).toContain('abandonment_rate (needs queued_at)');
    expect(result.stdout).toMatch(/\n {2}leaves empty: .*queued_at, answered_at, /);
  });

  it('describes each table a named adapter declares, from the adapter, and names what it cannot feed', async () => {
    const file = join(dir, 'helpdesk.config.json');
    writeFileSync(file, JSON.stringify({ sources: [{ name: 'helpdesk', adapter: 'zendesk', options: {} }] }));
    const result = await runCli(['--config', file, 'validate-config']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /\nhelpdesk \(interactions\) feeds: fcr_rate, .*first_response_median_s, .*service_index\n/,
    );
    expect(result.stdout).toContain('asa_s, service_level_pct (needs queued_at, queue_s or answered_at)');
    expect(result.stdout).toMatch(
      /\nhelpdesk \(survey_responses\) feeds: csat_pct, csat_mean, survey_response_rate, service_index\n/,
    );
    expect(result.stdout).toContain('nps (needs survey_kind = nps)');
  });
});

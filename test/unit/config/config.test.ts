import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, stripJsonComments } from '../../../lambdas/core/config/config.ts';

/** The rest of a minimal valid interactions mapping, as JSON members. */
const MAPPING_REST = `"format": { "type": "csv" }, "fields": {
  "interaction_id": { "column": "id" }, "channel": { "const": "voice" }, "direction": { "const": "inbound" },
  "created_at": { "column": "at" }, "updated_at": { "field": "created_at" },
  "is_abandoned": { "const": false }, "is_callback": { "const": false },
  "is_transfer": { "const": false }, "is_escalated": { "const": false } }`;

function problemsOf(raw: unknown): readonly string[] {
  try {
    parseConfig(raw, 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('config validation', () => {
  it('accepts an empty config and fills the defaults', () => {
    const config = parseConfig({});
    expect(config.sources).toEqual([]);
    expect(config.benchmarks.industry).toBe('all');
  });

  it('fails with every problem at once, each naming the field, the value and the fix', () => {
    const problems = problemsOf({
      sources: [{ name: 'Bad Name', adapter: 'mapping', timeZone: 'Mars/Olympus' }],
      metrics: { minSample: 0 },
      reports: [{ name: 'monthly', schedule: 'every day', recipients: ['not-an-email'] }],
    });
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toContain('sources.0.name');
    expect(problems.join('\n')).toContain('"Bad Name"');
    expect(problems.join('\n')).toContain('sources.0.timeZone: must be an IANA time zone');
    expect(problems.join('\n')).toContain('metrics.minSample');
    expect(problems.join('\n')).toContain('reports.0.schedule: must be cron(...) or rate(...)');
    expect(problems.join('\n')).toContain('reports.0.recipients.0');
  });

  it('takes lake.partitionsFrom as a yyyy-MM-dd date, 2015-01-01 by default', () => {
    expect(parseConfig({}).lake.partitionsFrom).toBe('2015-01-01');
    expect(parseConfig({ lake: { partitionsFrom: '1999-01-01' } }).lake.partitionsFrom).toBe('1999-01-01');
    expect(() => parseConfig({ lake: { partitionsFrom: '1999/01/01' } })).toThrow(
      /lake\.partitionsFrom: must be a yyyy-MM-dd date \(got "1999\/01\/01"\)/,
    );
  });

  it('fails when two sources share a name', () => {
    const problems = problemsOf({
      sources: [
        { name: 'calls', adapter: 'mapping' },
        { name: 'calls', adapter: 'mapping' },
      ],
    });
    expect(problems).toEqual(['sources.1.name: duplicate source name "calls"; names must be unique']);
  });

  it('reads // comments and inlines mapping files relative to the config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    writeFileSync(join(dir, 'm.json'), `{ "table": "interactions" // the target\n, ${MAPPING_REST} }`);
    writeFileSync(
      join(dir, 'config.jsonc'),
      '{\n // a comment with "quotes"\n "sources": [{ "name": "calls", "adapter": "mapping", "options": { "mappingFile": "m.json" } }] }',
    );
    const config = loadConfig(join(dir, 'config.jsonc'));
    expect(config.sources[0]?.options).toEqual({
      mapping: { table: 'interactions', ...JSON.parse(`{${MAPPING_REST}}`) },
    });
  });

  it('fails when the file is not JSON, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
    writeFileSync(join(dir, 'broken.json'), '{ "sources": [ }');
    expect(() => loadConfig(join(dir, 'broken.json'))).toThrow(/broken\.json: 1 problem\(s\)\n {2}- not valid JSON/);
  });

  it('keeps // inside strings', () => {
    expect(JSON.parse(stripJsonComments('{"url": "https://x.example/a" // c\n}'))).toEqual({
      url: 'https://x.example/a',
    });
  });
});

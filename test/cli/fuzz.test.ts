/**
 * The fuzz campaign: its mutations and checks on hand-made inputs, then a seeded slice of the full
 * campaign (`npm run fuzz`), the same seeds and classes, every file through the CLI and every check.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../lambdas/report/csv.ts';
import { formatFailures, makeFile, planCampaign, runCampaign } from '../support/fuzz/campaign.ts';
import {
  type AuditRow,
  auditProblems,
  csvCells,
  formulaCells,
  htmlPayloads,
  rejectProblems,
  sha256,
  verdictProblems,
} from '../support/fuzz/checks.ts';
import {
  FORMULA_PAYLOADS,
  fileRandom,
  MUTATION_CLASSES,
  MUTATIONS,
  SCRIPT_PAYLOADS,
  splitCells,
} from '../support/fuzz/mutations.ts';
import { capDelimited, loadSeeds } from '../support/fuzz/seeds.ts';

const CSV = Buffer.from(
  'id,subject,score,created_at\n1,hello,3,2025-06-01T10:00:00Z\n2,world,4,2025-06-02T11:00:00Z\n',
);
const JSON_DOC = Buffer.from(
  JSON.stringify({ tickets: [{ id: 1, subject: 'hello', score: 3, tags: ['a'], created_at: '2025-06-01T10:00:00Z' }] }),
);

describe('fuzz mutations', () => {
  it('give the same bytes for the same seed and file number, whatever ran before', () => {
    for (const mutation of MUTATION_CLASSES) {
      const first = MUTATIONS[mutation](CSV, fileRandom(1, 7)).bytes;
      MUTATIONS[mutation](JSON_DOC, fileRandom(1, 8));
      expect(MUTATIONS[mutation](CSV, fileRandom(1, 7)).bytes.equals(first), mutation).toBe(true);
    }
  });

  it('change the bytes of both a CSV and a JSON export in every class', () => {
    for (const mutation of MUTATION_CLASSES) {
      for (const seed of [CSV, JSON_DOC]) {
        expect(MUTATIONS[mutation](seed, fileRandom(3, 1)).bytes.equals(seed), mutation).toBe(false);
      }
    }
  });

  it('truncate to a strict prefix', () => {
    for (let n = 0; n < 20; n++) {
      const { bytes } = MUTATIONS.truncation(CSV, fileRandom(1, n));
      const prefix = bytes.at(-1) === 0xc3 ? bytes.subarray(0, -1) : bytes;
      expect(prefix.length).toBeLessThan(CSV.length);
      expect(CSV.subarray(0, prefix.length).equals(prefix)).toBe(true);
    }
  });

  it('write gzip that decodes to the export (two members), or is damaged, cut or followed by garbage', () => {
    expect(gunzipSync(MUTATIONS['gzip-concatenated'](CSV, fileRandom(1, 2)).bytes).equals(CSV)).toBe(true);
    const garbage = MUTATIONS['gzip-trailing-garbage'](CSV, fileRandom(1, 2)).bytes;
    const member = gzipSync(CSV);
    expect(garbage.subarray(0, member.length).equals(member)).toBe(true);
    expect(garbage.length).toBeGreaterThan(member.length);
    expect(() => gunzipSync(MUTATIONS['gzip-truncated'](CSV, fileRandom(1, 2)).bytes)).toThrow();
    expect(() => gunzipSync(MUTATIONS['gzip-corrupt'](CSV, fileRandom(1, 2)).bytes)).toThrow();
  });

  it('plant script and formula payloads as values of text fields, leaving the other fields', () => {
    const { bytes } = MUTATIONS.payloads(CSV, fileRandom(1, 4));
    const rows = bytes
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((line) => splitCells(line, ','));
    expect(rows[0]).toEqual(['id', 'subject', 'score', 'created_at']);
    const subjects = rows.slice(1).map((r) => r[1]);
    const planted: string[] = [...SCRIPT_PAYLOADS, ...FORMULA_PAYLOADS];
    expect(subjects.some((s) => planted.includes(s ?? ''))).toBe(true);
    expect(rows.slice(1).map((r) => [r[0], r[2], r[3]])).toEqual([
      ['1', '3', '2025-06-01T10:00:00Z'],
      ['2', '4', '2025-06-02T11:00:00Z'],
    ]);
  });

  it('nest 5,000 levels deep, and write a 10 MB field', () => {
    const deep = MUTATIONS['deep-nesting'](JSON_DOC, fileRandom(1, 5)).bytes.toString('utf8');
    expect(deep.includes('['.repeat(5_000)) || deep.includes('{"a":'.repeat(5_000))).toBe(true);
    expect(MUTATIONS['huge-field'](CSV, fileRandom(1, 5)).bytes.length).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('write numbers JSON cannot hold as bare tokens', () => {
    const texts = Array.from({ length: 30 }, (_, n) =>
      MUTATIONS['extreme-numbers'](JSON_DOC, fileRandom(2, n)).bytes.toString('utf8'),
    );
    expect(texts.some((t) => /:(NaN|-?Infinity|-0|1e308|-1e308|123456789012345678901234567890)[,}]/.test(t))).toBe(
      true,
    );
  });

  it('cut a real export at a row end outside quotes', () => {
    const text = Buffer.from('a,b\n1,"x\ny"\n2,z\n');
    // Byte 10 is the newline inside the quoted "x\ny": the cut falls back to the header's end.
    expect(capDelimited(text, 10).toString()).toBe('a,b\n');
    expect(capDelimited(text, 13).toString()).toBe('a,b\n1,"x\ny"\n');
    expect(capDelimited(text, 100)).toBe(text);
  });
});

const AUDIT: AuditRow = {
  object_key: 'calls/abc/calls.csv',
  object_sha256: sha256(CSV),
  rows_read: 5,
  rows_accepted: 3,
  rows_rejected: 2,
  file_error: null,
};
const rejectLines = (records: readonly { row_number: number | null; reason: string }[]) =>
  Buffer.from(
    records.map((r) => `${JSON.stringify({ object_key: AUDIT.object_key, field: null, raw: null, ...r })}\n`).join(''),
  );

describe('fuzz checks', () => {
  it('pass an audit that reconciles and hashes the whole file', () => {
    expect(auditProblems(AUDIT, CSV)).toEqual([]);
    expect(auditProblems({ ...AUDIT, rows_rejected: 1 }, CSV)).toEqual([
      'rows_read 5 != rows_accepted 3 + rows_rejected 1',
    ]);
    expect(auditProblems(AUDIT, CSV.subarray(0, 10))[0]).toMatch(/^object_sha256 .* is not the file's /);
  });

  it('want one reject line per rejected row, numbered uniquely within the rows read', () => {
    const two = [
      { row_number: 2, reason: 'bad' },
      { row_number: 4, reason: 'bad' },
    ];
    expect(rejectProblems(AUDIT, rejectLines(two))).toEqual([]);
    expect(rejectProblems(AUDIT, undefined)).toEqual(['no reject file for 2 rejected rows']);
    expect(rejectProblems({ ...AUDIT, rows_accepted: 5, rows_rejected: 0 }, undefined)).toEqual([]);
    expect(
      rejectProblems(
        AUDIT,
        rejectLines([
          { row_number: 2, reason: 'bad' },
          { row_number: 2, reason: 'bad' },
        ]),
      ),
    ).toEqual(['reject row number 2 repeated']);
    expect(
      rejectProblems(
        AUDIT,
        rejectLines([
          { row_number: 2, reason: 'bad' },
          { row_number: 6, reason: 'bad' },
        ]),
      ),
    ).toEqual(['reject row number 6 outside 1..5']);
    expect(rejectProblems(AUDIT, rejectLines([two[0] as (typeof two)[0]]))).toEqual([
      '1 reject lines for rows_rejected 2',
    ]);
  });

  it('want a file rejected whole to have one line giving its error, after the rows read before it', () => {
    const whole: AuditRow = {
      ...AUDIT,
      rows_read: 3,
      rows_accepted: 0,
      rows_rejected: 3,
      file_error: 'unexpected end of file',
    };
    const lines = [
      { row_number: 1, reason: 'bad' },
      { row_number: null, reason: 'file rejected: unexpected end of file' },
    ];
    expect(rejectProblems(whole, rejectLines(lines))).toEqual([]);
    expect(rejectProblems(whole, rejectLines(lines.slice(0, 1)))).toEqual([
      '0 file-rejected lines, expected 1 giving "unexpected end of file"',
    ]);
  });

  it('want damaged gzip and empty files rejected whole, and leave other classes to the other checks', () => {
    expect(verdictProblems('empty', { ...AUDIT, rows_read: 0, rows_accepted: 0, rows_rejected: 0 })).toEqual([
      'accepted (0 read, 0 accepted) instead of rejected whole',
    ]);
    expect(verdictProblems('gzip-trailing-garbage', { ...AUDIT, file_error: 'bytes after the gzip member' })).toEqual(
      [],
    );
    expect(verdictProblems('bit-flip', AUDIT)).toEqual([]);
  });

  it("find every payload the report's CSV rule would leave live, and none it neutralised", () => {
    const cells = [...FORMULA_PAYLOADS, '-5', 'plain', '=1+1'];
    const written = `\uFEFF${cells.map((c) => csvCell(c)).join(',')},${csvCell(-12.5)}\r\n`;
    expect(csvCells(written)).toHaveLength(cells.length + 1);
    expect(formulaCells(written)).toEqual([]);
    const raw = `${cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')}\r\n`;
    expect(formulaCells(raw)).toEqual([...FORMULA_PAYLOADS, '=1+1']);
  });

  it('find a script payload in HTML unless it is escaped', () => {
    expect(htmlPayloads('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>')).toEqual({ raw: [], escaped: 1 });
    expect(htmlPayloads('<td><script>alert(1)</script></td>').raw).toEqual(['<script>alert(1)</script>']);
    expect(htmlPayloads('<td>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</td>')).toEqual({ raw: [], escaped: 1 });
  });
});

describe('the fuzz campaign, a seeded slice', () => {
  const SLICE = { seed: 1, files: 200 } as const;

  it('plans every class and every source with a seed, the same files each time', async () => {
    const { seeds } = await loadSeeds();
    const plan = planCampaign({ ...SLICE, seeds });
    expect(new Set(plan.map((f) => f.mutation))).toEqual(new Set(MUTATION_CLASSES));
    expect(new Set(plan.map((f) => f.source))).toEqual(new Set(seeds.map((s) => s.source)));
    expect(planCampaign({ ...SLICE, seeds })).toEqual(plan);
    const file = plan[41] as (typeof plan)[number];
    expect(makeFile(file, SLICE.seed, seeds).bytes.equals(makeFile(file, SLICE.seed, seeds).bytes)).toBe(true);
  });

  it('ingests 200 fuzzed files through the CLI with every check passing', async () => {
    const { seeds } = await loadSeeds();
    const result = await runCampaign({ ...SLICE, seeds, batchSize: 100 });
    expect(result.files).toBe(SLICE.files);
    expect(formatFailures(result.failures)).toEqual([]);
  }, 900_000);
});

/** The CLI as a separate process, once per exit code: what scripts see of it. */
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit.ts';
import { spawnCli } from '../support/cli.ts';
import { createCliFolder } from './support.ts';

// A process start through tsx takes seconds on a busy machine.
const START = 30_000;

describe('servicebench as a process', () => {
  it(
    'exits 0 and prints its help on stdout',
    async () => {
      const result = await spawnCli(['--help'], createCliFolder());
      expect(result.code).toBe(EXIT.ok);
      expect(result.stdout).toContain('Usage: servicebench');
    },
    START,
  );

  it(
    'exits 1 and names the bad option value on stderr',
    async () => {
      const result = await spawnCli(['query', '--format', 'xml', 'SELECT 1'], createCliFolder());
      expect(result.code).toBe(EXIT.error);
      expect(result.stderr).toContain('expected one of table, csv, json');
    },
    START,
  );

  it(
    'exits 3 when a file is rejected whole',
    async () => {
      const result = await spawnCli(['ingest', '--source', 'calls', 'broken.csv.gz'], createCliFolder());
      expect(result.code).toBe(EXIT.fileRejected);
      expect(result.stdout).toContain('broken.csv.gz: file rejected');
    },
    START,
  );

  it(
    'exits 4 with --strict when a row is rejected',
    async () => {
      const result = await spawnCli(['ingest', '--strict', '--source', 'calls', 'calls.csv'], createCliFolder());
      expect(result.code).toBe(EXIT.rowsRejected);
    },
    START,
  );
});

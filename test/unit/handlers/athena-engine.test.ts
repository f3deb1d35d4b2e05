import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecutionState,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AthenaEngine, AthenaQueryError, convertValue, toPositional } from '../../../lambdas/core/query/athena.ts';

const athena = mockClient(AthenaClient);
// The unit project shares modules between files: leave AthenaClient as the next file expects it.
afterAll(() => athena.restore());
const waits: number[] = [];

function engine(overrides: { timeoutMs?: number } = {}) {
  return new AthenaEngine({
    client: new AthenaClient({ region: 'eu-west-1' }),
    workGroup: 'servicebench',
    database: 'servicebench',
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...overrides,
  });
}

const execution = (state: QueryExecutionState, extra: Record<string, unknown> = {}) => ({
  QueryExecution: { QueryExecutionId: 'q-1', StatementType: 'DML' as const, Status: { State: state, ...extra } },
});

beforeEach(() => {
  athena.reset();
  waits.length = 0;
});

describe('toPositional', () => {
  it('rewrites named placeholders to positional ones in order, repeating reused names', () => {
    const { text, values } = toPositional(
      'SELECT * FROM scorecard WHERE period_start = DATE :period AND grain = :grain OR start2 = DATE :period',
      { period: '2025-06-01', grain: 'month' },
    );
    expect(text).toBe('SELECT * FROM scorecard WHERE period_start = DATE ? AND grain = ? OR start2 = DATE ?');
    expect(values).toEqual(["'2025-06-01'", "'month'", "'2025-06-01'"]);
  });

  it('leaves colons inside literals, quoted identifiers and comments alone', () => {
    const sql = `SELECT ':not' AS "a:b", x -- :comment\nFROM t /* :block */ WHERE y = :y`;
    const { text, values } = toPositional(sql, { y: 3 });
    expect(text).toBe(`SELECT ':not' AS "a:b", x -- :comment\nFROM t /* :block */ WHERE y = ?`);
    expect(values).toEqual(['3']);
  });

  it('renders each value as a SQL literal with quotes doubled', () => {
    const { values } = toPositional('SELECT :a, :b, :c, :d', { a: "O'Brien", b: true, c: null, d: 1.5 });
    expect(values).toEqual(["'O''Brien'", 'true', 'NULL', '1.5']);
  });

  it('fails when a placeholder has no value', () => {
    expect(() => toPositional('SELECT :a, :b', { a: 1 })).toThrow(':b has no value');
  });

  it('fails when a number parameter is not finite', () => {
    expect(() => toPositional('SELECT :a', { a: Number.NaN })).toThrow('finite');
  });
});

describe('convertValue', () => {
  it('restores numbers, booleans, dates and UTC timestamps', () => {
    expect(convertValue('42', 'bigint')).toBe(42);
    expect(convertValue('0.25', 'double')).toBe(0.25);
    expect(convertValue('12.50', 'decimal(10,2)')).toBe(12.5);
    expect(convertValue('true', 'boolean')).toBe(true);
    expect(convertValue('2025-06-01', 'date')).toBe('2025-06-01');
    expect(convertValue('2025-06-01 12:30:00.000', 'timestamp')).toBe('2025-06-01T12:30:00.000Z');
    expect(convertValue('2025-06-01 12:30:00.5 UTC', 'timestamp with time zone')).toBe('2025-06-01T12:30:00.500Z');
    expect(convertValue(undefined, 'varchar')).toBeNull();
    expect(convertValue('x', 'varchar')).toBe('x');
  });
});

describe('AthenaEngine', () => {
  it('starts the query with positional parameters in the workgroup and database, then pages typed rows', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('QUEUED'))
      .resolvesOnce(execution('RUNNING'))
      .resolves(execution('SUCCEEDED'));
    const ColumnInfo = [
      { Name: 'metric', Type: 'varchar' },
      { Name: 'value', Type: 'double' },
      { Name: 'n', Type: 'bigint' },
    ];
    athena
      .on(GetQueryResultsCommand, { NextToken: undefined })
      .resolves({
        NextToken: 'page-2',
        ResultSet: {
          ResultSetMetadata: { ColumnInfo },
          Rows: [
            { Data: [{ VarCharValue: 'metric' }, { VarCharValue: 'value' }, { VarCharValue: 'n' }] },
            { Data: [{ VarCharValue: 'csat_pct' }, { VarCharValue: '87.5' }, { VarCharValue: '40' }] },
          ],
        },
      })
      .on(GetQueryResultsCommand, { NextToken: 'page-2' })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo },
          Rows: [{ Data: [{ VarCharValue: 'nps' }, {}, { VarCharValue: '12' }] }],
        },
      });

    const rows = await engine().query('SELECT metric, value, n FROM scorecard WHERE grain = :grain', {
      grain: 'month',
    });

    expect(rows).toEqual([
      { metric: 'csat_pct', value: 87.5, n: 40 },
      { metric: 'nps', value: null, n: 12 },
    ]);
    const start = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input;
    expect(start).toMatchObject({
      QueryString: 'SELECT metric, value, n FROM scorecard WHERE grain = ?',
      ExecutionParameters: ["'month'"],
      WorkGroup: 'servicebench',
      QueryExecutionContext: { Database: 'servicebench', Catalog: 'AwsDataCatalog' },
    });
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
    expect(waits).toEqual([250, 500]);
  });

  it('retries a throttled start and a failure Athena marks retryable', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    athena.on(StartQueryExecutionCommand).rejectsOnce(throttled).resolves({ QueryExecutionId: 'q-1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(
        execution('FAILED', { StateChangeReason: 'slow down', AthenaError: { Retryable: true, ErrorCategory: 1 } }),
      )
      .resolves({ QueryExecution: { QueryExecutionId: 'q-1', StatementType: 'DDL', Status: { State: 'SUCCEEDED' } } });

    const done = await engine().execute('CREATE OR REPLACE VIEW v AS SELECT 1');

    expect(done.queryExecutionId).toBe('q-1');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(3);
  });

  it('fails with Athena own reason when the query fails for good', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(
      execution('FAILED', {
        StateChangeReason: "line 1:8: Column 'nope' cannot be resolved",
        AthenaError: { Retryable: false },
      }),
    );

    await expect(engine().query('SELECT nope')).rejects.toThrow(
      new AthenaQueryError('q-1', 'FAILED', "line 1:8: Column 'nope' cannot be resolved"),
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(1);
  });

  it('fails when a start keeps being throttled', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    athena.on(StartQueryExecutionCommand).rejects(throttled);
    await expect(engine().query('SELECT 1')).rejects.toThrow('Rate exceeded');
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(4);
  });

  it('stops a query that runs past the timeout and says so', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});

    await expect(engine({ timeoutMs: 1_000 }).query('SELECT 1')).rejects.toThrow(/TIMED_OUT: still RUNNING/);
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  });
});

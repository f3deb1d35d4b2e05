import { describe, expect, it, vi } from 'vitest';
import { type MetricRecord, metricDocument, publishMetrics } from '../../../lambdas/core/telemetry/emf.ts';
import { ingestionRecord, rejectShare } from '../../../lambdas/core/telemetry/ingestion.ts';

const record: MetricRecord = {
  namespace: 'ServiceBench',
  dimensions: { Stack: 'ServiceBench', Source: 'zendesk' },
  dimensionSets: [['Stack', 'Source'], ['Stack']],
  metrics: [
    { name: 'RowsRead', value: 40, unit: 'Count' },
    { name: 'RejectShare', value: 0.25, unit: 'None' },
  ],
  properties: { object_key: 'zendesk/tickets.json' },
  timestamp: new Date('2025-06-01T12:00:00.000Z'),
};

describe('EMF documents', () => {
  it('declares the namespace, dimension sets and metrics under _aws, with the values at the top level', () => {
    expect(metricDocument(record)).toEqual({
      _aws: {
        Timestamp: 1748779200000,
        CloudWatchMetrics: [
          {
            Namespace: 'ServiceBench',
            Dimensions: [['Stack', 'Source'], ['Stack']],
            Metrics: [
              { Name: 'RowsRead', Unit: 'Count' },
              { Name: 'RejectShare', Unit: 'None' },
            ],
          },
        ],
      },
      Stack: 'ServiceBench',
      Source: 'zendesk',
      RowsRead: 40,
      RejectShare: 0.25,
      object_key: 'zendesk/tickets.json',
    });
  });

  it('publishes one JSON line to the sink', () => {
    const lines: string[] = [];
    publishMetrics(record, (line) => lines.push(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0] ?? '')).toEqual(metricDocument(record));
  });

  it('writes to standard output itself, past the console that Lambda wraps in its JSON log format', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const log = vi.spyOn(console, 'log');
    try {
      publishMetrics(record);
      expect(write).toHaveBeenCalledWith(`${JSON.stringify(metricDocument(record))}\n`);
      expect(log).not.toHaveBeenCalled();
    } finally {
      write.mockRestore();
      log.mockRestore();
    }
  });

  it('leaves an unknown value out of the document instead of sending 0', () => {
    const document = metricDocument({ ...record, metrics: [{ name: 'RejectShare', value: null, unit: 'None' }] });
    expect(document).not.toHaveProperty('RejectShare');
    expect(document._aws).toMatchObject({ CloudWatchMetrics: [{ Metrics: [] }] });
  });

  it('fails on a value CloudWatch cannot take, a dimension without a value, or a property hiding a metric', () => {
    expect(() =>
      metricDocument({ ...record, metrics: [{ name: 'RowsRead', value: Number.NaN, unit: 'Count' }] }),
    ).toThrow(/RowsRead is NaN/);
    expect(() => metricDocument({ ...record, dimensionSets: [['Stack', 'Queue']] })).toThrow(/names Queue/);
    expect(() => metricDocument({ ...record, dimensions: { Stack: '', Source: 'zendesk' } })).toThrow(/Stack is empty/);
    expect(() => metricDocument({ ...record, properties: { RowsRead: 'x' } })).toThrow(/property RowsRead/);
  });
});

describe('ingestion metrics of one object', () => {
  const audit = {
    source: 'zendesk',
    object_key: 'zendesk/2025/06/tickets.json',
    landed_at: new Date('2025-06-01T11:00:00.000Z'),
    rows_read: 40,
    rows_accepted: 30,
    rows_rejected: 10,
    file_error: null,
  };

  it('computes the reject share as rejected / read, unknown when nothing was read', () => {
    expect(rejectShare(audit)).toBe(0.25);
    expect(rejectShare({ ...audit, rows_read: 0, rows_accepted: 0, rows_rejected: 0 })).toBeNull();
  });

  it('counts a file rejected whole, with every row it read rejected', () => {
    const rejected = { ...audit, rows_accepted: 0, rows_rejected: 40, file_error: 'line is not a record' };
    expect(metricDocument(ingestionRecord('ServiceBench', rejected, record.timestamp))).toMatchObject({
      FilesLanded: 1,
      FilesRejectedWhole: 1,
      RowsRead: 40,
      RowsAccepted: 0,
      RowsRejected: 40,
      RejectShare: 1,
      file_error: 'line is not a record',
    });
  });
});

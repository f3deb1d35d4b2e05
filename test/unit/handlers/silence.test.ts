/**
 * The silence check against S3 (s3rver): hours since each watched source's last delivery, read from
 * the marker the normaliser writes, and from the first check for a source that never delivered.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../../lambdas/core/config/config.ts';
import { EnvironmentError } from '../../../lambdas/core/env/environment.ts';
import { watchedSources } from '../../../lambdas/core/env/silence.ts';
import { S3ObjectStore } from '../../../lambdas/core/store/s3.ts';
import { recordDelivery, watchStartKey } from '../../../lambdas/core/telemetry/deliveries.ts';
import { checkSilence, coldStart, type SilenceCheckDeps } from '../../../lambdas/handlers/silence.ts';
import { type S3rverHandle, startS3rver } from '../../support/s3rver.ts';

const DEPLOYED = new Date('2025-06-01T00:00:00.000Z');
const hoursAfter = (from: Date, hours: number) => new Date(from.getTime() + hours * 3_600_000);

let s3: S3rverHandle;
let curated: S3ObjectStore;
const lines: string[] = [];

function deps(now: Date): SilenceCheckDeps {
  return {
    stackName: 'ServiceBench',
    watched: { zendesk: 24, connect: 48 },
    deliveries: curated,
    now: () => now,
    sink: (line) => lines.push(line),
  };
}

beforeAll(async () => {
  for (const level of ['info', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  s3 = await startS3rver();
  await s3.createBucket('curated');
  curated = new S3ObjectStore({ client: s3.client, bucket: 'curated' });
});

afterAll(async () => {
  await s3?.stop();
});

describe('silence check', () => {
  it('counts a source that never delivered from the first check, and a delivered one from its last file', async () => {
    await recordDelivery(curated, {
      source: 'zendesk',
      objectKey: 'zendesk/2025/05/31/tickets.json',
      landedAt: new Date('2025-05-31T18:30:00.000Z'),
    });

    const first = await checkSilence(deps(DEPLOYED));

    expect(first).toEqual([
      expect.objectContaining({ source: 'zendesk', hours: 5.5, basis: 'last-delivery', silent: false }),
      expect.objectContaining({ source: 'connect', hours: 0, basis: 'watch-start', lastObjectKey: null }),
    ]);
    expect(await curated.head(watchStartKey('connect'))).toBeDefined();
    expect(await curated.head(watchStartKey('zendesk'))).toBeUndefined();
  });

  it("publishes HoursSinceDelivery per source, silent once above the source's silenceHours", async () => {
    lines.length = 0;
    const later = hoursAfter(DEPLOYED, 49.25);

    const reports = await checkSilence(deps(later));

    // zendesk: 18:30 the day before the deployment + 49.25 h = 54.75 h; connect: 49.25 h since its watch began.
    expect(reports.map((r) => [r.source, r.hours, r.silenceHours, r.silent])).toEqual([
      ['zendesk', 54.75, 24, true],
      ['connect', 49.25, 48, true],
    ]);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        _aws: {
          Timestamp: later.getTime(),
          CloudWatchMetrics: [
            {
              Namespace: 'ServiceBench',
              Dimensions: [['Stack', 'Source']],
              Metrics: [{ Name: 'HoursSinceDelivery', Unit: 'None' }],
            },
          ],
        },
        Stack: 'ServiceBench',
        Source: 'zendesk',
        HoursSinceDelivery: 54.75,
      },
      expect.objectContaining({ Source: 'connect', HoursSinceDelivery: 49.25 }),
    ]);
  });

  it('counts from the first delivery once a watched source delivers', async () => {
    const landedAt = hoursAfter(DEPLOYED, 50);
    await recordDelivery(curated, { source: 'connect', objectKey: 'connect/ctr.ndjson', landedAt });

    const [, connect] = await checkSilence(deps(hoursAfter(landedAt, 2)));

    expect(connect).toMatchObject({
      hours: 2,
      basis: 'last-delivery',
      lastObjectKey: 'connect/ctr.ndjson',
      silent: false,
    });
  });
});

describe('silence check environment', () => {
  it('watches the sources that set silenceHours', () => {
    const config = parseConfig({
      sources: [
        { name: 'zendesk', adapter: 'zendesk', silenceHours: 24 },
        { name: 'connect', adapter: 'amazon-connect-ctr' },
        { name: 'surveys', adapter: 'delighted', silenceHours: 744 },
      ],
    });
    expect(watchedSources(config.sources)).toEqual({ zendesk: 24, surveys: 744 });
  });

  it('reads the stack name, the bucket and the watched sources', () => {
    const ready = coldStart({
      STACK_NAME: 'ServiceBench-Staging',
      DELIVERIES_BUCKET: 'curated',
      WATCHED_SOURCES: '{"zendesk":24}',
    });
    expect(ready).toMatchObject({ stackName: 'ServiceBench-Staging', watched: { zendesk: 24 } });
    expect(ready.deliveries.location).toBe('s3://curated/');
  });

  it('fails naming every bad variable', () => {
    const parse = () => coldStart({ DELIVERIES_BUCKET: 'curated', WATCHED_SOURCES: '{"zendesk":0}' });
    expect(parse).toThrow(EnvironmentError);
    expect(parse).toThrow(/STACK_NAME/);
    expect(parse).toThrow(/WATCHED_SOURCES\.zendesk/);
    expect(() => coldStart({ STACK_NAME: 'S', DELIVERIES_BUCKET: 'c', WATCHED_SOURCES: 'zendesk=24' })).toThrow(
      /WATCHED_SOURCES: must be a JSON object/,
    );
    expect(() => coldStart({ STACK_NAME: 'S', DELIVERIES_BUCKET: 'c', WATCHED_SOURCES: '{}' })).toThrow(
      /must name at least one source/,
    );
  });
});

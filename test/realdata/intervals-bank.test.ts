/**
 * contact_centre_intervals over the real Anonymous Bank log (Israel, February 1999), reported in
 * Asia/Jerusalem, against the same figures computed here from the raw file with nothing but the
 * file's own columns: no view, no adapter.
 *
 * How the log reaches local time: its clock columns are Israeli wall time, and bank-calls.json
 * reads them with `"timeZone": "Asia/Jerusalem"`, so the canonical instants are true UTC (a call
 * queued at 10:00 in Tel Aviv is 08:00 UTC: February 1999 was UTC+2 throughout). With
 * reporting.timeZone Asia/Jerusalem, zone_days turns them back into the log's own clock, so the
 * interval of a call is the one its q_start column names. Had the source been read as UTC, its
 * instants would be two hours late and the local intervals two hours off; both zones are needed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DuckDbEngine, openLakeEngine } from '../../cli/duckdb.ts';
import { ingestFile } from '../../cli/ingest.ts';
import { openLake } from '../../cli/lake.ts';
import { loadConfig, metricOptions, type ServiceBenchConfig } from '../../lambdas/core/config/config.ts';
import { EXAMPLE_CONFIG_FILE } from '../../lambdas/core/config/locate.ts';
import { resolvePeriod } from '../../lambdas/core/time/periods.ts';
import { type IntervalCell, queryIntervals } from '../../lambdas/report/intervals.ts';
import { describeRealdata, REALDATA } from '../support/realdata.ts';

const FILE = 'anonymous-bank-callcentre/data_anonymous_bank_february.txt';
const example = loadConfig(EXAMPLE_CONFIG_FILE);
const config: ServiceBenchConfig = { ...example, reporting: { ...example.reporting, timeZone: 'Asia/Jerusalem' } };
const { serviceLevelS, shortAbandonS } = metricOptions(config);
const INTERVAL_MINUTES = config.reporting.intervalMinutes;

/** One queued call of the raw log, as its columns say. */
interface RawCall {
  readonly localDate: string;
  readonly isoWeekday: number;
  readonly minuteOfDay: number;
  readonly answered: boolean;
  readonly abandoned: boolean;
  readonly waitS: number;
  readonly talkS: number;
}

const seconds = (clock: string) => {
  const [h, m, s] = clock.split(':').map(Number) as [number, number, number];
  return h * 3600 + m * 60 + s;
};

/**
 * The file's queued calls: PHANTOM rows are not calls; a call queued when q_start is not 0:00:00;
 * a q_start more than 12 hours before the VRU entry is after midnight, the next day; answered when
 * outcome is AGENT with a service start; abandoned when it hung up (HANG) in the queue, unless it
 * is the bank's callback (type TT); wait = q_time; talk = ser_time.
 */
function rawQueuedCalls(): RawCall[] {
  const lines = readFileSync(join(REALDATA, FILE), 'utf8').replace(/\r/g, '').split('\n').slice(1);
  const calls: RawCall[] = [];
  for (const line of lines) {
    if (line === '') continue;
    const c = line.split('\t');
    /** Column `n` of the header, counted from 1. */
    const column = (n: number): string => c[n - 1] ?? '';
    const type = column(5);
    const date = column(6);
    const vruEntry = column(7);
    const qStart = column(10);
    const qTime = column(12);
    const outcome = column(13);
    const serStart = column(14);
    const serTime = column(16);
    if (outcome === 'PHANTOM' || qStart === '0:00:00') continue;
    const nextDay = seconds(qStart) < seconds(vruEntry) - 12 * 3600;
    const day = Date.UTC(1900 + Number(date.slice(0, 2)), Number(date.slice(2, 4)) - 1, Number(date.slice(4, 6)));
    const local = new Date(day + (nextDay ? 86_400_000 : 0));
    const minute = Math.floor(seconds(qStart) / 60);
    const answered = outcome === 'AGENT' && serStart !== '0:00:00';
    calls.push({
      localDate: local.toISOString().slice(0, 10),
      isoWeekday: ((local.getUTCDay() + 6) % 7) + 1,
      minuteOfDay: minute - (minute % INTERVAL_MINUTES),
      answered,
      abandoned: outcome === 'HANG' && type !== 'TT',
      waitS: Number(qTime),
      talkS: answered ? Number(serTime) : 0,
    });
  }
  return calls;
}

/** The view's definitions, over raw calls: contact_centre_intervals' header, in plain TypeScript. */
function figures(calls: readonly RawCall[]) {
  const answered = calls.filter((c) => c.answered);
  const abandoned = calls.filter((c) => c.abandoned);
  const shortAbandons = abandoned.filter((c) => c.waitS < shortAbandonS);
  const within = answered.filter((c) => c.waitS <= serviceLevelS).length;
  const judged = answered.length + abandoned.filter((c) => c.waitS >= shortAbandonS && c.waitS > serviceLevelS).length;
  const waitSum = answered.reduce((sum, c) => sum + c.waitS, 0);
  const talkSum = answered.reduce((sum, c) => sum + c.talkS, 0);
  return {
    offered: calls.length,
    answered: answered.length,
    abandoned: abandoned.length,
    shortAbandons: shortAbandons.length,
    within,
    judged,
    waitSum,
    talkSum,
    asaS: waitSum / answered.length,
    serviceLevelPct: (100 * within) / judged,
    ahtS: talkSum / answered.length,
  };
}

describeRealdata('contact_centre_intervals on the real bank log in Asia/Jerusalem', [FILE], () => {
  let engine: DuckDbEngine;
  const february = resolvePeriod({ period: '1999-02' }, { timeZone: 'Asia/Jerusalem' });
  const raw = rawQueuedCalls().filter((c) => c.localDate >= '1999-02-01' && c.localDate < '1999-03-01');

  beforeAll(async () => {
    const lake = openLake(mkdtempSync(join(tmpdir(), 'sb-realdata-intervals-')));
    await ingestFile({
      lake,
      config,
      sourceName: 'bank-calls',
      file: join(REALDATA, FILE),
      pseudonymKey: Buffer.alloc(32, 5),
    });
    engine = await openLakeEngine({ lakeDir: lake.dir, config });
  }, 180_000);

  afterAll(async () => {
    await engine?.close();
  });

  it('gives the February 1999 figures computed from the raw file', async () => {
    const expected = figures(raw);
    // From the file: 18,058 calls queued, all dated in February on the log's own clock.
    expect(expected.offered).toBe(18_058);
    const [row] = await engine.query(
      `SELECT sum(offered) AS offered, sum(answered) AS answered, sum(abandoned) AS abandoned,
         sum(short_abandons) AS short_abandons, sum(answered_within_threshold) AS within,
         sum(service_level_base) AS judged, sum(wait_sum_s) AS wait_sum, sum(handle_sum_s) AS handle_sum,
         sum(handled_timed) AS handled_timed
       FROM contact_centre_intervals
       WHERE dimension = 'overall' AND dt BETWEEN :from AND :to
         AND local_date >= DATE '1999-02-01' AND local_date < DATE '1999-03-01'`,
      { from: february.dtRange.from, to: february.dtRange.to },
    );
    const n = (key: string) => Number(row?.[key]);
    expect({
      offered: n('offered'),
      answered: n('answered'),
      abandoned: n('abandoned'),
      shortAbandons: n('short_abandons'),
      within: n('within'),
      judged: n('judged'),
    }).toEqual({
      offered: expected.offered,
      answered: expected.answered,
      abandoned: expected.abandoned,
      shortAbandons: expected.shortAbandons,
      within: expected.within,
      judged: expected.judged,
    });
    expect(n('handled_timed')).toBe(expected.answered);
    expect(n('wait_sum') / n('answered')).toBeCloseTo(expected.asaS, 9);
    expect((100 * n('within')) / n('judged')).toBeCloseTo(expected.serviceLevelPct, 9);
    expect(n('handle_sum') / n('handled_timed')).toBeCloseTo(expected.ahtS, 9);
  });

  it("profiles February by weekday and interval as the raw file's q_start clock does", async () => {
    const read = await queryIntervals(engine, february, { dimension: 'overall', value: 'all' });
    const key = (weekday: number, minute: number) => `${weekday} ${minute}`;
    const groups = new Map<string, RawCall[]>();
    for (const c of raw) {
      const k = key(c.isoWeekday, c.minuteOfDay);
      groups.set(k, [...(groups.get(k) ?? []), c]);
    }
    const viewProfile = new Map(read.map((cell: IntervalCell) => [key(cell.isoWeekday, cell.minuteOfDay), cell]));
    expect([...viewProfile.keys()].sort()).toEqual([...groups.keys()].sort());
    for (const [k, calls] of groups) {
      const want = figures(calls);
      const got = viewProfile.get(k);
      expect(
        got && {
          offered: got.offered,
          answered: got.answered,
          abandoned: got.abandoned,
          within: got.answeredWithinThreshold,
          judged: got.serviceLevelBase,
          waitSum: got.waitSumS ?? 0,
          talkSum: got.handleSumS ?? 0,
        },
        k,
      ).toEqual({
        offered: want.offered,
        answered: want.answered,
        abandoned: want.abandoned,
        within: want.within,
        judged: want.judged,
        waitSum: want.waitSum,
        talkSum: want.talkSum,
      });
    }
    // The bank's week: Sunday to Thursday, a short Friday, closed on Saturday (Shabbat) until the evening.
    const offeredOn = (weekday: number) =>
      read.filter((c) => c.isoWeekday === weekday).reduce((sum, c) => sum + c.offered, 0);
    expect(offeredOn(5)).toBeLessThan(offeredOn(7) / 2);
    expect(offeredOn(6)).toBeLessThan(offeredOn(5));
  });
});

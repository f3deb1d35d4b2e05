import { describe, expect, it } from 'vitest';
import {
  agentsNeeded,
  averageSpeedOfAnswer,
  serviceLevel,
  trafficErlangs,
  waitProbability,
} from '../../../lambdas/core/metrics/erlang.ts';

describe('Erlang C against published worked examples', () => {
  it('Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls in 30 minutes, AHT 180 s, 80% in 20 s needs 14 agents', () => {
    // https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm: 200 calls an hour × 3 min
    // = 10 Erlangs; the search starts at N = A + 1 = 11 and the raw agents (before shrinkage and
    // occupancy caps) come out at 14.
    const staffing = agentsNeeded({ offered: 100, ahtS: 180, intervalS: 1800, thresholdS: 20, targetPct: 80 });
    expect(staffing?.trafficErlangs).toBe(10);
    expect(staffing?.agents).toBe(14);
    // 13 agents fall short: 1 − 0.28527·e^(−3·20/180) = 79.56% < 80%.
    expect(serviceLevel(13, 10, 180, 20)).toBeCloseTo(0.7956, 4);
    // With 14: P(wait) = 0.17413, SL = 1 − 0.17413·e^(−4·20/180) = 88.84%, ASA = 0.17413·180/4 = 7.84 s.
    expect(staffing?.waitProbability).toBeCloseTo(0.17413, 5);
    expect(staffing?.serviceLevelPct).toBeCloseTo(88.84, 2);
    expect(staffing?.asaS).toBeCloseTo(7.84, 2);
  });

  it('Westbay / CC-Excel forum, "CCXLService" (Tom Howard, 12 January 2021): 57 calls an hour of 1,110 s with 21 agents answer 80.7% within 180 s; 80% within 20 s needs 23 agents', () => {
    // https://www.erlang.com forum thread "CCXLService": the question quotes 80.7% for 21 agents and
    // a 180 s target; the answer reruns it in Westbay Traffic Calculators and, with the target at
    // 20 s, the estimated agents rise from 21 to 23. Load: 57 × 1110 / 3600 = 17.575 Erlangs.
    const traffic = trafficErlangs(57, 1110, 3600);
    expect(traffic).toBeCloseTo(17.575, 10);
    expect(100 * serviceLevel(21, 17.575, 1110, 180)).toBeCloseTo(80.7, 1);
    const staffing = agentsNeeded({ offered: 57, ahtS: 1110, intervalS: 3600, thresholdS: 20, targetPct: 80 });
    expect(staffing?.agents).toBe(23);
    // 22 agents reach only 78.46% within 20 s.
    expect(100 * serviceLevel(22, 17.575, 1110, 20)).toBeCloseTo(78.46, 2);
  });

  it("Erlang C calculator's example (personal.telefonica.terra.es/web/vr/erlang/eng/mcerlc.htm): 600 calls an hour of 120 s are 20 Erlangs; a 15% delay probability needs 26 agents, 3 s average delay; 30 agents cut it to 2.5%", () => {
    expect(trafficErlangs(600, 120, 3600)).toBe(20);
    // The fewest agents with P(wait) ≤ 15%: 25 give 20.9%, 26 give 14.3%.
    expect(waitProbability(25, 20)).toBeCloseTo(0.2091, 4);
    expect(waitProbability(26, 20)).toBeCloseTo(0.1434, 4);
    // Average delay over every call: 0.1434 × 120 / 6 = 2.87 s, published rounded as 3 s.
    expect(Math.round(averageSpeedOfAnswer(26, 20, 120))).toBe(3);
    expect(averageSpeedOfAnswer(26, 20, 120)).toBeCloseTo(2.868, 3);
    expect(100 * waitProbability(30, 20)).toBeCloseTo(2.5, 1);
  });
});

describe('Erlang C by hand and at scale', () => {
  it('two agents at one Erlang wait one time in three (M/M/2 with occupancy 0.5)', () => {
    // B(1) = 1/2, B(2) = (1·½)/(2 + ½) = 0.2, C = 2·0.2 / (2 − 1·0.8) = 1/3.
    expect(waitProbability(2, 1)).toBeCloseTo(1 / 3, 15);
    // SL = 1 − ⅓·e^(−(2−1)·60/60) = 1 − 0.122626 = 0.877374; ASA = ⅓·60/1 = 20 s.
    expect(serviceLevel(2, 1, 60, 60)).toBeCloseTo(1 - Math.exp(-1) / 3, 15);
    expect(averageSpeedOfAnswer(2, 1, 60)).toBeCloseTo(20, 12);
  });

  it('stays finite where A^N/N! overflows a double (500 Erlangs, 520 agents), equal to the textbook formula in logarithms', () => {
    const traffic = 500;
    const agents = 520;
    // Textbook: C = X / (Σ_{k<N} A^k/k! + X), X = A^N/N! · N/(N−A); every term scaled by e^(−A) in logs.
    const logTerm = (k: number) => {
      let logFactorial = 0;
      for (let i = 2; i <= k; i += 1) logFactorial += Math.log(i);
      return k * Math.log(traffic) - logFactorial - traffic;
    };
    let sum = 0;
    for (let k = 0; k < agents; k += 1) sum += Math.exp(logTerm(k));
    const x = Math.exp(logTerm(agents)) * (agents / (agents - traffic));
    const expected = x / (sum + x);
    expect(waitProbability(agents, traffic)).toBeCloseTo(expected, 10);
    expect(waitProbability(agents, traffic)).toBeCloseTo(0.2748, 4);
  });

  it('needs no more than one agent above the load when the load is tiny, and never returns a load it cannot carry', () => {
    // 1 call of 60 s in 30 minutes: A = 1/30; 1 agent: P(wait) = A = 0.0333, SL(20 s) = 1 − 0.0333·e^(−(29/30)/3) ≈ 97.6%.
    const staffing = agentsNeeded({ offered: 1, ahtS: 60, intervalS: 1800, thresholdS: 20, targetPct: 80 });
    expect(staffing?.agents).toBe(1);
    expect(staffing?.waitProbability).toBeCloseTo(1 / 30, 12);
    // A whole load (A = 2 exactly) needs at least 3 agents: 2 would never empty the queue.
    const whole = agentsNeeded({ offered: 60, ahtS: 60, intervalS: 1800, thresholdS: 20, targetPct: 1 });
    expect(whole?.trafficErlangs).toBe(2);
    expect(whole?.agents).toBe(3);
  });

  it('has no answer when the volume or the handle time is unknown or zero', () => {
    const base = { intervalS: 1800, thresholdS: 20, targetPct: 80 };
    expect(agentsNeeded({ ...base, offered: null, ahtS: 180 })).toBeNull();
    expect(agentsNeeded({ ...base, offered: 0, ahtS: 180 })).toBeNull();
    expect(agentsNeeded({ ...base, offered: 100, ahtS: null })).toBeNull();
    expect(agentsNeeded({ ...base, offered: 100, ahtS: 0 })).toBeNull();
    expect(trafficErlangs(100, null, 1800)).toBeNull();
  });

  it('fails when asked for an unstable queue or an impossible target', () => {
    expect(() => waitProbability(10, 10)).toThrow(/10 agents for 10 Erlangs never empties the queue/);
    expect(() => waitProbability(2.5, 1)).toThrow(/whole number of agents/);
    expect(() => agentsNeeded({ offered: 1, ahtS: 60, intervalS: 1800, thresholdS: 20, targetPct: 100 })).toThrow(
      /target must be above 0 and below 100 percent, got 100/,
    );
    expect(() => trafficErlangs(1, 60, 0)).toThrow(/interval length must be positive seconds, got 0/);
  });
});

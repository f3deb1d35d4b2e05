/**
 * Erlang C: the agents an interval of the day needed to answer its offered contacts within the
 * service-level threshold, from the volume and handle time it really had. The model is the M/M/N
 * queue (Poisson arrivals, exponential handle times, one queue served by N identical agents, every
 * caller waits as long as it takes); docs/metrics.md ("Intervals of the day and staffing") says
 * what those assumptions do to the figure.
 *
 * P(wait) is computed through the Erlang B recursion, B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)),
 * then C = N·B / (N − A·(1 − B)): no factorial and no power of A, so it stays exact to the last
 * digits where the textbook quotient A^N/N! overflows a double from N = 171.
 */

/** A staffing answer for one interval. */
export interface Staffing {
  /** Offered load in Erlangs: offered contacts × AHT / interval length. */
  readonly trafficErlangs: number;
  /** The smallest whole number of agents above the load whose service level reaches the target. */
  readonly agents: number;
  /** Probability a contact waits at all, with that many agents (Erlang C). */
  readonly waitProbability: number;
  /** Share of contacts answered within the threshold with that many agents, in percent. */
  readonly serviceLevelPct: number;
  /** Mean wait of every contact (those answered at once count 0 s), in seconds, with that many agents. */
  readonly asaS: number;
}

/** What an interval had and what it aimed at. */
export interface StaffingInput {
  /** Contacts offered in the interval; unknown (null) or none gives no answer. */
  readonly offered: number | null;
  /** Average handle time in seconds; unknown (null) or zero gives no answer. */
  readonly ahtS: number | null;
  /** Length of the interval in seconds. */
  readonly intervalS: number;
  /** Service-level threshold: a contact answered within this many seconds is in service level. */
  readonly thresholdS: number;
  /** Share of contacts to answer within the threshold, in percent (0 < target < 100). */
  readonly targetPct: number;
}

/** Offered load in Erlangs; null when the volume or the handle time is unknown or zero. */
export function trafficErlangs(offered: number | null, ahtS: number | null, intervalS: number): number | null {
  if (offered === null || ahtS === null || !(offered > 0) || !(ahtS > 0)) return null;
  if (!(intervalS > 0)) throw new Error(`interval length must be positive seconds, got ${intervalS}`);
  return (offered * ahtS) / intervalS;
}

/** Erlang B blocking probability B(agents, traffic) by the stable recursion. */
function erlangB(agents: number, traffic: number): number {
  let blocking = 1;
  for (let k = 1; k <= agents; k += 1) blocking = (traffic * blocking) / (k + traffic * blocking);
  return blocking;
}

/** Erlang C from Erlang B of the same agents and load (valid for agents > traffic). */
function erlangCFromB(agents: number, traffic: number, blocking: number): number {
  return (agents * blocking) / (agents - traffic * (1 - blocking));
}

function assertStable(agents: number, traffic: number): void {
  if (!Number.isInteger(agents) || agents <= traffic) {
    throw new Error(
      `Erlang C needs a whole number of agents above the load: ${agents} agents for ${traffic} Erlangs never empties the queue`,
    );
  }
}

/** Probability a contact waits (Erlang C), for a whole number of agents above the load. */
export function waitProbability(agents: number, traffic: number): number {
  assertStable(agents, traffic);
  return erlangCFromB(agents, traffic, erlangB(agents, traffic));
}

/** Service level as a fraction: 1 − P(wait)·exp(−(N − A)·T / AHT). */
export function serviceLevel(agents: number, traffic: number, ahtS: number, thresholdS: number): number {
  return serviceLevelFrom(waitProbability(agents, traffic), agents, traffic, ahtS, thresholdS);
}

function serviceLevelFrom(pWait: number, agents: number, traffic: number, ahtS: number, thresholdS: number): number {
  return 1 - pWait * Math.exp((-(agents - traffic) * thresholdS) / ahtS);
}

/** Mean wait over every contact, in seconds: P(wait)·AHT / (N − A). */
export function averageSpeedOfAnswer(agents: number, traffic: number, ahtS: number): number {
  return (waitProbability(agents, traffic) * ahtS) / (agents - traffic);
}

/**
 * The fewest agents whose service level reaches the target, and what they achieve; null when the
 * volume or the handle time is unknown or zero (nothing to staff for is not "0 agents needed").
 * The search walks N up from the first whole number above the load, carrying Erlang B along, so
 * it costs one recursion step per agent tried.
 */
export function agentsNeeded(input: StaffingInput): Staffing | null {
  if (!(input.targetPct > 0 && input.targetPct < 100)) {
    throw new Error(`service-level target must be above 0 and below 100 percent, got ${input.targetPct}`);
  }
  if (!(input.thresholdS >= 0)) throw new Error(`service-level threshold must be 0 s or more, got ${input.thresholdS}`);
  const traffic = trafficErlangs(input.offered, input.ahtS, input.intervalS);
  if (traffic === null || input.ahtS === null) return null;
  const ahtS = input.ahtS;
  const target = input.targetPct / 100;
  let agents = Math.floor(traffic) + 1;
  let blocking = erlangB(agents, traffic);
  for (;;) {
    const pWait = erlangCFromB(agents, traffic, blocking);
    const level = serviceLevelFrom(pWait, agents, traffic, ahtS, input.thresholdS);
    if (level >= target) {
      return {
        trafficErlangs: traffic,
        agents,
        waitProbability: pWait,
        serviceLevelPct: 100 * level,
        asaS: (pWait * ahtS) / (agents - traffic),
      };
    }
    agents += 1;
    blocking = (traffic * blocking) / (agents + traffic * blocking);
  }
}

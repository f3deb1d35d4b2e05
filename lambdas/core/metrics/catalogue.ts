/**
 * The metric catalogue: the stable metric ids of the product, their units, directions, scales and
 * the dimensions that can attribute them. The views read it as the `metric_catalogue` reference
 * table; the refresh of metric_values keeps each metric at its dimensions only
 * (sql/materialised.ts); the CLI and the report read it here.
 */
import type { Dimension } from './scorecard.ts';

export type MetricUnit = 'pct' | 'seconds' | 'score' | 'count' | 'index';

/** The natural bounds of a metric's values. */
export interface MetricScale {
  readonly min: number;
  readonly max: number;
}

/** Percentages, and the survey, QA and engagement scores their views report on 0-100. */
const ZERO_TO_100: MetricScale = { min: 0, max: 100 };
/** Net scores (NPS, eNPS, net sentiment): share of positives minus share of negatives. */
const NET: MetricScale = { min: -100, max: 100 };

export interface MetricDefinition {
  readonly id: string;
  readonly label: string;
  readonly unit: MetricUnit;
  /** Direction used for RAG, ranking and the service index. */
  readonly higherIsBetter: boolean;
  /** Proportions carry a Wilson interval and use a two-proportion z-test between periods. */
  readonly isProportion: boolean;
  readonly domain: 'contact_centre' | 'tickets' | 'surveys' | 'quality' | 'social' | 'retention' | 'employee' | 'index';
  /**
   * Natural bounds, used to normalise the metric to 0-100 for the service index. Durations and
   * counts have none and are normalised against their target or benchmark median instead.
   */
  readonly scale: MetricScale | null;
  /**
   * The dimensions that can attribute the metric, `overall` first. A metric is produced only at
   * these: a cut by any other dimension would describe the selection, not the group (abandoned
   * calls reach no agent, so every agent would show 0% abandonment).
   */
  readonly dimensions: readonly Dimension[];
}

type Domain = MetricDefinition['domain'];

/** What each domain's view cuts by: the attributes its observations carry. */
const DOMAIN_DIMENSIONS: Readonly<Record<Domain, readonly Dimension[]>> = {
  contact_centre: ['overall', 'channel', 'team', 'agent', 'queue', 'source'],
  tickets: ['overall', 'channel', 'team', 'agent', 'queue', 'source'],
  surveys: ['overall', 'channel', 'team', 'agent', 'source'],
  quality: ['overall', 'team', 'agent', 'source'],
  social: ['overall', 'source'],
  // Customer events carry no channel, team or agent, and one customer can appear in several sources.
  retention: ['overall'],
  employee: ['overall', 'team'],
  index: ['overall', 'channel', 'team', 'agent', 'queue', 'source'],
};

/**
 * Queue metrics: what happens before a contact reaches an agent. Abandoned contacts have no agent
 * (nor the agent's team), and waits are the queue's, so only the queue, channel and source carry
 * them.
 */
const QUEUE_DIMENSIONS: readonly Dimension[] = ['overall', 'channel', 'queue', 'source'];

const m = (
  id: string,
  label: string,
  unit: MetricUnit,
  higherIsBetter: boolean,
  isProportion: boolean,
  domain: Domain,
  scale: MetricScale | null = unit === 'pct' ? ZERO_TO_100 : null,
  dimensions: readonly Dimension[] = DOMAIN_DIMENSIONS[domain],
): MetricDefinition => ({ id, label, unit, higherIsBetter, isProportion, domain, scale, dimensions });

export const METRICS = [
  m('csat_pct', 'CSAT (top-two box)', 'pct', true, true, 'surveys'),
  m('csat_mean', 'CSAT mean (0-100)', 'score', true, false, 'surveys', ZERO_TO_100),
  m('nps', 'Net Promoter Score', 'score', true, false, 'surveys', NET),
  m('ces_mean', 'Customer effort (mean, easier is better)', 'score', true, false, 'surveys', ZERO_TO_100),
  m('ces_easy_pct', 'Customer effort: % easy', 'pct', true, true, 'surveys'),
  m('survey_response_rate', 'Survey response rate', 'pct', true, true, 'surveys'),
  m('fcr_rate', 'First-contact resolution', 'pct', true, true, 'tickets'),
  m('aht_s', 'Average handle time', 'seconds', false, false, 'contact_centre'),
  m('avg_hold_s', 'Average hold time', 'seconds', false, false, 'contact_centre'),
  m('asa_s', 'Average speed of answer', 'seconds', false, false, 'contact_centre', null, QUEUE_DIMENSIONS),
  m('abandonment_rate', 'Abandonment rate', 'pct', false, true, 'contact_centre', ZERO_TO_100, QUEUE_DIMENSIONS),
  m('service_level_pct', 'Service level', 'pct', true, true, 'contact_centre', ZERO_TO_100, QUEUE_DIMENSIONS),
  m('transfer_rate', 'Transfer rate', 'pct', false, true, 'contact_centre'),
  m('escalation_rate', 'Escalation rate', 'pct', false, true, 'tickets'),
  m('reopen_rate', 'Reopen rate', 'pct', false, true, 'tickets'),
  m('first_response_median_s', 'First response time (median)', 'seconds', false, false, 'tickets'),
  m('first_response_p90_s', 'First response time (p90)', 'seconds', false, false, 'tickets'),
  m('resolution_median_s', 'Resolution time (median)', 'seconds', false, false, 'tickets'),
  m('resolution_p90_s', 'Resolution time (p90)', 'seconds', false, false, 'tickets'),
  m('first_response_business_median_s', 'First response, business time (median)', 'seconds', false, false, 'tickets'),
  m('first_response_business_p90_s', 'First response, business time (p90)', 'seconds', false, false, 'tickets'),
  m('resolution_business_median_s', 'Resolution, business time (median)', 'seconds', false, false, 'tickets'),
  m('resolution_business_p90_s', 'Resolution, business time (p90)', 'seconds', false, false, 'tickets'),
  m('sla_first_response_pct', 'First-response SLA compliance', 'pct', true, true, 'tickets'),
  m('sla_resolution_pct', 'Resolution SLA compliance', 'pct', true, true, 'tickets'),
  m('sla_compliance_pct', 'SLA compliance (first response and resolution pooled)', 'pct', true, true, 'tickets'),
  m('qa_score', 'Quality assurance score', 'score', true, false, 'quality', ZERO_TO_100),
  m('mystery_shop_score', 'Mystery-shop score', 'score', true, false, 'quality', ZERO_TO_100),
  m('social_volume', 'Social mentions', 'count', true, false, 'social'),
  m('net_sentiment', 'Net sentiment', 'score', true, false, 'social', NET),
  m('brand_response_rate', 'Brand response rate', 'pct', true, true, 'social'),
  m('brand_response_median_s', 'Brand response time (median)', 'seconds', false, false, 'social'),
  m('retention_rate', 'Customer retention', 'pct', true, true, 'retention'),
  m('churn_rate', 'Customer churn', 'pct', false, true, 'retention'),
  m('repeat_purchase_rate', 'Repeat purchase rate', 'pct', true, true, 'retention'),
  m('enps', 'Employee NPS', 'score', true, false, 'employee', NET),
  m('engagement_score', 'Employee engagement (0-100)', 'score', true, false, 'employee', ZERO_TO_100),
  m('service_index', 'Service index', 'index', true, false, 'index'),
] as const satisfies readonly MetricDefinition[];

export type MetricId = (typeof METRICS)[number]['id'];
export const METRIC_IDS: readonly MetricId[] = METRICS.map((d) => d.id);
export const METRIC_BY_ID: ReadonlyMap<string, MetricDefinition> = new Map(METRICS.map((d) => [d.id, d]));

/** Whether a metric runs from −100 to 100, so that it is written as a signed whole number (NPS +32). */
export function isNetScore(metric: string): boolean {
  return METRIC_BY_ID.get(metric)?.scale === NET;
}

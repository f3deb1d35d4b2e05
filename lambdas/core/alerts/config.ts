/**
 * The `alerts` section of the config: closed-loop rules that turn a bad experience (a detractor, a
 * bottom-box CSAT, an unresolved issue, a negative post, a customer who keeps contacting) into an
 * alert for the team that can fix it. Declared here and referenced once from configSchema.
 */
import { z } from 'zod';

export const ALERT_RULE_KINDS = [
  'nps_detractor',
  'csat_bottom_box',
  'unresolved',
  'negative_social',
  'repeat_contacts',
] as const;
export type AlertRuleKind = (typeof ALERT_RULE_KINDS)[number];

/** What each kind is called where people read alerts (chat messages, the report). */
export const ALERT_KIND_LABELS: Readonly<Record<AlertRuleKind, string>> = {
  nps_detractor: 'NPS detractor',
  csat_bottom_box: 'Bottom-box CSAT',
  unresolved: 'Issue not resolved',
  negative_social: 'Negative post',
  repeat_contacts: 'Repeat contacts',
};

/** Every default of the alerts section, applied with `??` and pinned by test/unit/alerts/config.test.ts. */
export const ALERT_DEFAULTS = {
  /** NPS answers at or below this are detractors (0–6 on the 0–10 scale, as Bain defines them). */
  npsDetractorMax: 6,
  /** Points at the bad end of a CSAT scale that count as its bottom box (1: only the lowest answer). */
  csatBottomBoxes: 1,
  /** Repeat contacts: this many inbound contacts from one customer ... */
  repeatContacts: 3,
  /** ... within this many days raise an alert (three in seven). */
  repeatDays: 7,
  /** One alert per customer and rule per window of this many hours (a week). */
  dedupHours: 168,
  /**
   * The deployed normaliser publishes an alert only when its event happened at most this many
   * hours before the file landed: backfilling a year of history raises no flood of stale alerts
   * (they still count in the report's closed-loop figures).
   */
  publishWithinHours: 72,
} as const;

/** Which parameters each kind reads; any other one set on a rule is a mistake worth naming. */
const PARAMETERS_OF: Readonly<Record<AlertRuleKind, readonly ('maxScore' | 'boxes' | 'contacts' | 'days')[]>> = {
  nps_detractor: ['maxScore'],
  csat_bottom_box: ['boxes'],
  unresolved: [],
  negative_social: ['maxScore'],
  repeat_contacts: ['contacts', 'days'],
};

const RULE_NAME = /^[a-z][a-z0-9_-]*$/;

export const alertRuleSchema = z
  .strictObject({
    name: z
      .string()
      .regex(RULE_NAME, 'must be lower-case letters, digits, _ and -, starting with a letter')
      .describe('Unique rule name; part of every alert id, so renaming a rule starts its alerts afresh.'),
    kind: z
      .enum(ALERT_RULE_KINDS)
      .describe(
        'nps_detractor (NPS at or below maxScore), csat_bottom_box (CSAT in the bottom boxes of its own scale), unresolved (a "was your issue resolved?" answer of no), negative_social (a negative post by a customer), repeat_contacts (contacts inbound contacts within days).',
      ),
    maxScore: z
      .number()
      .optional()
      .describe(
        `nps_detractor: highest detractor answer, 0–10 (default ${ALERT_DEFAULTS.npsDetractorMax}). negative_social: fire on a sentiment score at or below this (-1..1) instead of on the negative label.`,
      ),
    boxes: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        `csat_bottom_box: how many points at the bad end of the survey's own scale count (default ${ALERT_DEFAULTS.csatBottomBoxes}).`,
      ),
    contacts: z
      .number()
      .int()
      .min(2)
      .optional()
      .describe(`repeat_contacts: inbound contacts that raise the alert (default ${ALERT_DEFAULTS.repeatContacts}).`),
    days: z
      .number()
      .positive()
      .optional()
      .describe(`repeat_contacts: window the contacts fall in, in days (default ${ALERT_DEFAULTS.repeatDays}).`),
    sources: z
      .array(z.string().min(1))
      .optional()
      .describe('Only rows of these sources raise the alert (default: every source).'),
    teams: z
      .array(z.string().min(1))
      .optional()
      .describe('Only rows of these teams raise the alert (default: every team, and rows without one).'),
    dedupHours: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        `At most one alert per customer and rule in each window of this many hours, counted from 1970-01-01 UTC (default ${ALERT_DEFAULTS.dedupHours}).`,
      ),
    followUp: z
      .strictObject({
        agentContact: z
          .boolean()
          .default(true)
          .describe('A later contact of the customer handled by an agent closes the loop.'),
        tag: z
          .string()
          .min(1)
          .optional()
          .describe(
            'A later contact of the customer whose category is this value closes the loop (help desks map a tag to the category).',
          ),
      })
      .prefault({})
      .describe('What counts as following the alert up.'),
  })
  .superRefine((rule, ctx) => {
    for (const parameter of ['maxScore', 'boxes', 'contacts', 'days'] as const) {
      if (rule[parameter] !== undefined && !PARAMETERS_OF[rule.kind].includes(parameter)) {
        const takes = PARAMETERS_OF[rule.kind];
        ctx.addIssue({
          code: 'custom',
          path: [parameter],
          message: `${rule.kind} does not read ${parameter} (got ${rule[parameter]}); ${takes.length > 0 ? `it reads ${takes.join(', ')}` : 'remove it'}`,
        });
      }
    }
    const max = rule.maxScore;
    if (max !== undefined && rule.kind === 'nps_detractor' && (max < 0 || max > 10)) {
      ctx.addIssue({ code: 'custom', path: ['maxScore'], message: `must be an NPS answer from 0 to 10 (got ${max})` });
    }
    if (max !== undefined && rule.kind === 'negative_social' && (max < -1 || max > 1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxScore'],
        message: `must be a sentiment score from -1 to 1 (got ${max})`,
      });
    }
    if (!rule.followUp.agentContact && rule.followUp.tag === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['followUp'],
        message: "nothing would ever close this rule's alerts; keep agentContact true or set a tag",
      });
    }
  })
  .describe('One closed-loop alert rule.');

export const alertsConfigSchema = z
  .strictObject({
    rules: z.array(alertRuleSchema).default([]).describe('The rules; none by default.'),
    publishWithinHours: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        `Deployed: publish an alert only when its event happened at most this many hours before its file landed (default ${ALERT_DEFAULTS.publishWithinHours}).`,
      ),
  })
  .superRefine((alerts, ctx) => {
    const first = new Map<string, number>();
    alerts.rules.forEach((rule, index) => {
      const earlier = first.get(rule.name);
      if (earlier === undefined) first.set(rule.name, index);
      else {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', index, 'name'],
          message: `duplicate rule name "${rule.name}" (also rules.${earlier}); names must be unique`,
        });
      }
    });
  })
  .prefault({})
  .describe('Closed-loop alerts on bad experiences (docs/metrics.md, closed-loop rate).');

export type AlertRule = z.output<typeof alertRuleSchema>;
export type AlertsConfig = z.output<typeof alertsConfigSchema>;

/** Where the published-alert markers live in the curated zone (engines skip `_` prefixes). */
export const ALERT_MARKER_PREFIX = '_alerts/published/';

/**
 * Days an alert's published marker must be kept: a row can raise the same alert id (same rule,
 * customer and window) until its window has ended and rows of that window are no longer young
 * enough to publish, so the longest window plus publishWithinHours, plus a day of margin. Later
 * the marker guards nothing, and the curated bucket lets it expire.
 */
export function alertMarkerDays(alerts: AlertsConfig): number {
  const longestWindow = Math.max(ALERT_DEFAULTS.dedupHours, ...alerts.rules.map((r) => r.dedupHours ?? 0));
  const publishWithin = alerts.publishWithinHours ?? ALERT_DEFAULTS.publishWithinHours;
  return Math.ceil((longestWindow + publishWithin) / 24) + 1;
}

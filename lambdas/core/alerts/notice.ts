/**
 * An alert as a chat notice (lambdas/core/notify), and the environment of the function that posts
 * it: the bus rule delivers each alert event to that function when the config names a webhook.
 */
import { z } from 'zod';
import { nonEmpty } from '../env/environment.ts';
import { type Notice, WEBHOOK_FORMATS } from '../notify/message.ts';
import { ALERT_KIND_LABELS, ALERT_RULE_KINDS } from './config.ts';

/** The event detail the normaliser publishes (alertJson), as the webhook function reads it. */
export const alertDetailSchema = z.object({
  alert_id: z.string(),
  alert_at: z.iso.datetime(),
  rule: z.string(),
  kind: z.enum(ALERT_RULE_KINDS),
  source: z.string(),
  source_ref: z.string(),
  team: z.string().nullable(),
  agent_id: z.string().nullable(),
  score: z.number().nullable(),
  comment: z.string().nullable(),
  customer_key: z.string(),
});
export type AlertDetail = z.infer<typeof alertDetailSchema>;

/** Environment of the alert webhook function (set by lib/alerts.ts, read by lambdas/handlers/alert-webhook.ts). */
export const alertWebhookEnvSchema = z.object({
  WEBHOOK_FORMAT: z.enum(WEBHOOK_FORMATS),
  /** Name of the Secrets Manager secret holding the webhook URL (read at cold start, never in the environment). */
  WEBHOOK_URL_SECRET: nonEmpty('the name of the webhook URL secret'),
});
export type AlertWebhookEnvironment = z.input<typeof alertWebhookEnvSchema>;

/** What the team reads in its channel: what happened, where to open it, and the customer's words. */
export function alertNotice(alert: AlertDetail): Notice {
  const score =
    alert.score === null
      ? ''
      : alert.kind === 'repeat_contacts'
        ? ` (${alert.score} contacts)`
        : ` (score ${alert.score})`;
  return {
    title: `${ALERT_KIND_LABELS[alert.kind]}${score}: ${alert.source} ${alert.source_ref}`,
    lines: alert.comment === null ? [] : [`“${alert.comment}”`],
    facts: [
      { name: 'Rule', value: alert.rule },
      { name: 'When', value: `${alert.alert_at.slice(0, 16).replace('T', ' ')} UTC` },
      { name: 'Team', value: alert.team ?? 'none recorded' },
      { name: 'Agent', value: alert.agent_id ?? 'none recorded' },
      { name: 'Customer', value: alert.customer_key },
      { name: 'Alert', value: alert.alert_id },
    ],
    links: [],
  };
}

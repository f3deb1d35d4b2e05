/**
 * Alert webhook Lambda: the target of the alert bus rule when the config names a Slack or Teams
 * webhook. One EventBridge event in, one chat message out, through the notify module the report
 * delivery uses. A failure throws, so EventBridge's asynchronous invocation retries it.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { EventBridgeEvent } from 'aws-lambda';
import { alertDetailSchema, alertNotice, alertWebhookEnvSchema } from '../core/alerts/notice.ts';
import { parseEnvironment } from '../core/env/environment.ts';
import { type WebhookFormat, webhookPayload } from '../core/notify/message.ts';
import { postWebhook } from '../core/notify/webhook.ts';

export interface AlertWebhookDeps {
  readonly format: WebhookFormat;
  readonly url: string;
}

export async function postAlert(event: EventBridgeEvent<string, unknown>, deps: AlertWebhookDeps): Promise<void> {
  const parsed = alertDetailSchema.safeParse(event.detail);
  if (!parsed.success) {
    throw new Error(`event ${event.id} is no closed-loop alert: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  await postWebhook(deps.url, webhookPayload(deps.format, alertNotice(parsed.data)));
}

/** Reads the environment and the webhook URL once per execution environment. */
export async function coldStart(
  env: Readonly<Record<string, string | undefined>>,
  secrets: SecretsManagerClient = new SecretsManagerClient({}),
): Promise<AlertWebhookDeps> {
  const settings = parseEnvironment('alert webhook', alertWebhookEnvSchema, env);
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: settings.WEBHOOK_URL_SECRET }));
  if (!secret.SecretString) throw new Error(`secret ${settings.WEBHOOK_URL_SECRET} has no string value`);
  return { format: settings.WEBHOOK_FORMAT, url: secret.SecretString.trim() };
}

let ready: Promise<AlertWebhookDeps> | undefined;

export async function handler(event: EventBridgeEvent<string, unknown>): Promise<void> {
  // A failed cold start is not cached, so the next invocation tries again.
  ready ??= coldStart(process.env).catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  await postAlert(event, await ready);
}

/**
 * Posts a JSON message to a chat webhook (Slack, Teams) with a time limit per attempt and one
 * retry when the service asks for it (429) or fails (5xx); anything else fails at once with the
 * status and the start of the response, never the URL (a webhook URL is a credential).
 */

export const WEBHOOK_DEFAULTS = {
  /** Per attempt; the exporter has minutes, a chat service answers in well under a second. */
  timeoutMs: 10_000,
  /** Retries after a 429 or 5xx answer or a timeout. */
  retries: 1,
  /** Wait before a retry when the answer names none (Retry-After). */
  retryDelayMs: 1_000,
  /** Longest Retry-After honoured; a longer one fails the delivery rather than stall the run. */
  maxRetryDelayMs: 30_000,
} as const;

export interface WebhookOptions {
  /** @default WEBHOOK_DEFAULTS.timeoutMs */
  readonly timeoutMs?: number;
  /** @default WEBHOOK_DEFAULTS.retries */
  readonly retries?: number;
  /** @default WEBHOOK_DEFAULTS.retryDelayMs */
  readonly retryDelayMs?: number;
  /** @default WEBHOOK_DEFAULTS.maxRetryDelayMs */
  readonly maxRetryDelayMs?: number;
}

export class WebhookError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}

const retriable = (status: number): boolean => status === 429 || status >= 500;

/** Resolves with the number of attempts it took; rejects with a WebhookError. */
export async function postWebhook(url: string, payload: unknown, options: WebhookOptions = {}): Promise<number> {
  const timeoutMs = options.timeoutMs ?? WEBHOOK_DEFAULTS.timeoutMs;
  const retries = options.retries ?? WEBHOOK_DEFAULTS.retries;
  const body = JSON.stringify(payload);
  for (let attempt = 1; ; attempt++) {
    let failure: WebhookError;
    let delayMs = options.retryDelayMs ?? WEBHOOK_DEFAULTS.retryDelayMs;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      if (response.ok) return attempt;
      failure = new WebhookError(`webhook answered ${response.status}: ${text.slice(0, 200)}`, response.status);
      if (!retriable(response.status)) throw failure;
      const retryAfter = Number(response.headers.get('retry-after'));
      if (Number.isFinite(retryAfter) && retryAfter > 0) delayMs = retryAfter * 1000;
    } catch (error) {
      if (error instanceof WebhookError) throw error;
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      failure = new WebhookError(
        timedOut
          ? `webhook did not answer within ${timeoutMs} ms`
          : `webhook unreachable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (attempt > retries) throw failure;
    const maxDelayMs = options.maxRetryDelayMs ?? WEBHOOK_DEFAULTS.maxRetryDelayMs;
    if (delayMs > maxDelayMs)
      throw new WebhookError(`${failure.message} (asked to retry after ${delayMs} ms)`, failure.status);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/**
 * A notice for a chat channel (a report delivered, an alert raised) and its layout for each
 * webhook format: a Slack incoming webhook's Block Kit message, or a Microsoft Teams workflow's
 * Adaptive Card message. The text is the notice's own; each layout escapes it for its format.
 */

export const WEBHOOK_FORMATS = ['slack', 'teams'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface NoticeLink {
  readonly label: string;
  readonly url: string;
}

export interface Notice {
  /** One line, e.g. "Acme Support: monthly-exec report for 2025-05". */
  readonly title: string;
  /** Paragraphs under the title, in order. */
  readonly lines: readonly string[];
  /** Name and value pairs shown as a table (e.g. headline figures). */
  readonly facts?: readonly { readonly name: string; readonly value: string }[];
  readonly links: readonly NoticeLink[];
}

/** Slack's header block takes at most 150 characters of plain text. */
const SLACK_HEADER_MAX = 150;

/**
 * Slack mrkdwn control characters: only &, < and > are escaped (Slack decodes those three
 * entities and shows any other, such as &quot;, literally). Not HTML escaping: see report/escape.ts.
 */
export function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A Slack link `<url|label>`: the label may not contain `|` or `>`, the URL no `|`, `<` or `>`. */
function slackLink(link: NoticeLink): string {
  const url = link.url.replaceAll('|', '%7C').replaceAll('<', '%3C').replaceAll('>', '%3E');
  return `<${url}|${escapeSlack(link.label).replaceAll('|', '¦')}>`;
}

/** A Slack incoming-webhook message: `text` for notifications, blocks for the channel. */
export function slackPayload(notice: Notice): Record<string, unknown> {
  const title =
    notice.title.length > SLACK_HEADER_MAX ? `${notice.title.slice(0, SLACK_HEADER_MAX - 1)}…` : notice.title;
  const blocks: Record<string, unknown>[] = [{ type: 'header', text: { type: 'plain_text', text: title } }];
  if (notice.lines.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: notice.lines.map(escapeSlack).join('\n') } });
  }
  if (notice.facts && notice.facts.length > 0) {
    blocks.push({
      type: 'section',
      // Slack shows at most 10 fields per section, two per row.
      fields: notice.facts
        .slice(0, 10)
        .map((fact) => ({ type: 'mrkdwn', text: `*${escapeSlack(fact.name)}*\n${escapeSlack(fact.value)}` })),
    });
  }
  if (notice.links.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: notice.links.map(slackLink).join('\n') } });
  }
  return { text: notice.title, blocks };
}

/**
 * A Teams workflow ("Post to a channel when a webhook request is received") message carrying one
 * Adaptive Card 1.4. TextBlocks are plain text with markdown: characters that start markdown are
 * backslash-escaped so data cannot format or link itself.
 */
export function teamsPayload(notice: Notice): Record<string, unknown> {
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: escapeTeams(notice.title), weight: 'Bolder', size: 'Medium', wrap: true },
    ...notice.lines.map((line) => ({ type: 'TextBlock', text: escapeTeams(line), wrap: true })),
  ];
  if (notice.facts && notice.facts.length > 0) {
    body.push({
      type: 'FactSet',
      facts: notice.facts.map((fact) => ({ title: escapeTeams(fact.name), value: escapeTeams(fact.value) })),
    });
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: notice.links.map((link) => ({ type: 'Action.OpenUrl', title: link.label, url: link.url })),
        },
      },
    ],
  };
}

/** Adaptive Card markdown: escapes the characters that start emphasis, lists, headings and links. */
export function escapeTeams(text: string): string {
  return text.replace(/[\\`*_[\]()#+\-!>~|]/g, (character) => `\\${character}`);
}

export function webhookPayload(format: WebhookFormat, notice: Notice): Record<string, unknown> {
  return format === 'slack' ? slackPayload(notice) : teamsPayload(notice);
}

/**
 * Each named adapter declares what it writes (`outputs`), which `validate-config` turns into the
 * metrics a source feeds. Running every adapter over its own fixtures keeps the declaration honest:
 * a field a row sets must be declared, and a declared field must be set by some fixture row or be
 * listed here with the reason the fixtures never set it.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { amazonConnectAdapter } from '../../../lambdas/adapters/amazon-connect/index.ts';
import { customerActivityAdapter } from '../../../lambdas/adapters/customer-activity/index.ts';
import { delightedAdapter } from '../../../lambdas/adapters/delighted/index.ts';
import { employeePulseAdapter } from '../../../lambdas/adapters/employee-pulse/index.ts';
import { freshdeskAdapter } from '../../../lambdas/adapters/freshdesk/index.ts';
import { intercomAdapter } from '../../../lambdas/adapters/intercom/index.ts';
import { qaScorecardAdapter } from '../../../lambdas/adapters/qa-scorecard/index.ts';
import { qualtricsAdapter } from '../../../lambdas/adapters/qualtrics/index.ts';
import { listAdapters } from '../../../lambdas/adapters/registry.ts';
import { socialAdapter } from '../../../lambdas/adapters/social/index.ts';
import { surveyMonkeyAdapter } from '../../../lambdas/adapters/surveymonkey/index.ts';
import { zendeskAdapter } from '../../../lambdas/adapters/zendesk/index.ts';
import { zendeskQaAdapter } from '../../../lambdas/adapters/zendesk-qa/index.ts';
import { KIND_FIELDS } from '../../../lambdas/core/metrics/coverage.ts';
import type { Adapter, AdapterContext } from '../../../lambdas/core/normalise/adapter.ts';
import { createPseudonymiser } from '../../../lambdas/core/normalise/pseudonymise.ts';
import { openDecoded } from '../../../lambdas/core/read/index.ts';
import { LexiconSentimentAnalyser } from '../../../lambdas/core/sentiment/index.ts';
import { FIXTURES } from './amazon-connect/support.ts';

const context: AdapterContext = {
  source: 'outputs',
  objectKey: 'outputs/export',
  ingestedAt: new Date('2024-06-01T00:00:00Z'),
  pseudonymise: createPseudonymiser(new Uint8Array(32).fill(9)),
  timeZone: 'UTC',
  sentiment: new LexiconSentimentAnalyser(),
};

interface Run {
  readonly file: string;
  readonly options: unknown;
}
interface Case {
  readonly adapter: Adapter<never>;
  /** Fixture files under test/fixtures/<dir>/ with the options their adapter tests read them with. */
  readonly dir: string;
  readonly runs: readonly Run[];
  /** Declared fields no fixture row sets, by table, each with the reason. */
  readonly absent?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const NPS = 'How likely is it that you would recommend Acme to a friend or colleague?';
const CSAT = 'How satisfied were you with the support you received?';
const parse = <O>(adapter: Adapter<O>, options: unknown): O => adapter.optionsSchema.parse(options);
const entry = <O>(adapter: Adapter<O>, dir: string, runs: Run[], absent?: Case['absent']): Case => ({
  adapter: adapter as unknown as Adapter<never>,
  dir,
  runs,
  ...(absent ? { absent } : {}),
});

const CASES: readonly Case[] = [
  entry(
    amazonConnectAdapter,
    'amazon-connect',
    [
      ...['ctr-firehose.ndjson', 'ctr-firehose-concatenated.json'].map((file) => ({
        file,
        options: parse(amazonConnectAdapter, { surveyQuestions: { nps: { kind: 'nps', min: 0, max: 10 } } }),
      })),
    ],
    {
      interactions: { category: 'set only with the categoryAttribute option' },
      survey_responses: { resolved: 'set only with the resolvedQuestion option' },
    },
  ),
  entry(
    zendeskAdapter,
    'zendesk',
    [
      ...['incremental-tickets-metric-sets.json', 'satisfaction-ratings.json', 'csat-survey-responses.json'].map(
        (file) => ({ file, options: parse(zendeskAdapter, {}) }),
      ),
    ],
    {
      interactions: {
        is_escalated: 'set only with the escalationTags option',
        sla_first_response_target_s: 'set only with the slaTargets option',
        sla_resolution_target_s: 'set only with the slaTargets option',
        sla_in_business_hours: 'set only with the businessHours of an slaTargets entry',
        category: 'set only with the categoryCustomFieldId or categoryTagPrefix option',
      },
    },
  ),
  entry(freshdeskAdapter, 'freshdesk', [
    ...['tickets-with-stats.json', 'satisfaction-ratings.json'].map((file) => ({
      file,
      options: parse(freshdeskAdapter, { categoryField: 'cf_category', groupNames: { '5001': 'Support' } }),
    })),
  ]),
  entry(intercomAdapter, 'intercom', [
    {
      file: 'conversations-page.json',
      options: parse(intercomAdapter, { teamNames: { '5017691': 'Billing' }, categoryAttribute: 'Topic' }),
    },
    { file: 'conversations.jsonl', options: parse(intercomAdapter, { layout: 'records', categoryAttribute: 'Topic' }) },
  ]),
  entry(
    qualtricsAdapter,
    'qualtrics',
    [
      {
        file: 'responses.csv',
        options: parse(qualtricsAdapter, {
          questions: [
            { column: 'Q1', kind: 'nps' },
            { column: 'Q2', kind: 'csat' },
          ],
        }),
      },
    ],
    {
      survey_responses: {
        interaction_id: 'set only with the interactionIdColumn option',
        customer_key: 'set only with the customerIdColumn option',
        agent_id: 'set only with the agentColumn option',
        team: 'set only with the teamColumn option',
        channel: 'set only with the channelColumn option',
        touchpoint: 'set only with the touchpoint option',
        comment: 'set only with a question commentColumn',
        resolved: 'set only with the resolved option',
      },
    },
  ),
  entry(
    surveyMonkeyAdapter,
    'surveymonkey',
    [
      {
        file: 'responses.csv',
        options: parse(surveyMonkeyAdapter, {
          questions: [
            { heading: NPS, id: 'nps', kind: 'nps' },
            {
              heading: CSAT,
              id: 'csat',
              kind: 'csat',
              commentHeading: 'Is there anything else you would like to tell us?',
              recode: { 'Very dissatisfied': 1, Dissatisfied: 2, Neutral: 3, Satisfied: 4, 'Very satisfied': 5 },
            },
          ],
          customerIdColumn: 'Email Address',
          interactionIdColumn: 'Custom Data 1',
          touchpoint: 'post-ticket',
        }),
      },
    ],
    {
      survey_responses: {
        agent_id: 'set only with the agentColumn option',
        team: 'set only with the teamColumn option',
        channel: 'set only with the channelColumn option',
      },
    },
  ),
  entry(delightedAdapter, 'delighted', [
    {
      file: 'survey_responses.json',
      options: parse(delightedAdapter, {
        customerProperty: 'customer_id',
        interactionProperty: 'ticket_id',
        agentProperty: 'agent',
        teamProperty: 'team',
        channelProperty: 'channel',
        touchpointProperty: 'Delighted Source',
      }),
    },
  ]),
  entry(socialAdapter, 'social', [
    {
      file: 'twcs-sample.csv',
      options: parse(socialAdapter, {
        format: 'csv',
        fields: { id: 'tweet_id', author: 'author_id', createdAt: 'created_at', inReplyTo: 'in_response_to_tweet_id' },
        platform: 'twitter',
        inbound: { field: 'inbound', customerValues: ['True'] },
        timestampFormat: 'twitter',
        stripFloatIdSuffix: true,
      }),
    },
    {
      file: 'mentions.jsonl',
      options: parse(socialAdapter, {
        format: 'jsonl',
        fields: {
          id: 'id_str',
          author: 'user.screen_name',
          text: 'text',
          createdAt: 'created_at',
          inReplyTo: 'in_reply_to_status_id_str',
        },
        platform: 'twitter',
        brandHandles: ['@AcmeSupport'],
        timestampFormat: 'twitter',
      }),
    },
  ]),
  entry(qaScorecardAdapter, 'qa-scorecard', [
    { file: 'evaluations.csv', options: parse(qaScorecardAdapter, { kindValues: { peer_review: 'internal_qa' } }) },
  ]),
  entry(zendeskQaAdapter, 'zendesk-qa', [{ file: 'reviews.json', options: parse(zendeskQaAdapter, {}) }]),
  entry(employeePulseAdapter, 'employee-pulse', [
    { file: 'pulse-long.csv', options: parse(employeePulseAdapter, {}) },
    {
      file: 'pulse-wide.csv',
      options: parse(employeePulseAdapter, {
        layout: 'wide',
        columns: { responseId: 'Response ID', team: 'Team', period: 'Month' },
        questions: [
          { column: 'How likely are you to recommend working here?', kind: 'enps' },
          { column: 'I feel proud to work here', kind: 'engagement' },
          { column: 'I have the tools I need', kind: 'satisfaction' },
        ],
        dropIdentifyingColumns: true,
      }),
    },
  ]),
  entry(customerActivityAdapter, 'customer-activity', [
    {
      file: 'events.csv',
      options: parse(customerActivityAdapter, { kindValues: { purchase: 'order', churned: 'cancellation' } }),
    },
  ]),
];

/** Per table, the fields any row set non-null and the values its kind field took. */
async function observe(c: Case): Promise<Map<string, { fields: Set<string>; kinds: Set<string> }>> {
  const seen = new Map<string, { fields: Set<string>; kinds: Set<string> }>();
  for (const run of c.runs) {
    const input: Readable = await openDecoded(createReadStream(join(FIXTURES, c.dir, run.file)));
    for await (const record of c.adapter.read(input, run.options as never, context)) {
      if (record.kind !== 'mapped') continue;
      for (const { table, row } of record.rows) {
        const entry = seen.get(table) ?? { fields: new Set<string>(), kinds: new Set<string>() };
        seen.set(table, entry);
        for (const [field, value] of Object.entries(row))
          if (value !== null && value !== undefined) entry.fields.add(field);
        const kindField = KIND_FIELDS[table as keyof typeof KIND_FIELDS];
        if (kindField !== undefined && row[kindField] != null) entry.kinds.add(String(row[kindField]));
      }
    }
  }
  return seen;
}

describe('adapter output declarations', () => {
  it('covers every named adapter', () => {
    const named = listAdapters()
      .map((a) => a.name)
      .filter((name) => name !== 'mapping');
    expect(CASES.map((c) => c.adapter.name).sort()).toEqual(named.sort());
  });

  it.each(CASES.map((c) => [c.adapter.name, c] as const))(
    '%s declares every field its fixture rows set, and each declared field is set or explained',
    async (_name, c) => {
      const seen = await observe(c);
      const declared = c.adapter.outputs ?? [];
      expect(declared.map((o) => o.table).sort()).toEqual([...seen.keys()].sort());
      for (const output of declared) {
        const rows = seen.get(output.table);
        const absent = c.absent?.[output.table] ?? {};
        expect(
          [...(rows?.fields ?? [])].filter((f) => !output.fields.has(f)),
          `undeclared ${output.table} fields`,
        ).toEqual([]);
        expect(
          [...output.fields].filter((f) => !rows?.fields.has(f) && !(f in absent)),
          `declared ${output.table} fields no fixture row sets`,
        ).toEqual([]);
        expect(
          Object.keys(absent).filter((f) => !output.fields.has(f) || rows?.fields.has(f)),
          'stale reasons',
        ).toEqual([]);
        if (output.kinds) expect([...(rows?.kinds ?? [])].filter((k) => !output.kinds?.has(k))).toEqual([]);
      }
    },
  );
});

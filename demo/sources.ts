/**
 * The sources the demo lands its exports under, one per vendor format, with the options each
 * adapter needs to read them (group and team names, SLA policy, survey instruments). The shipped
 * example config carries the same entries, so the demo lake can be re-ingested by hand.
 */
import type { SourceConfig } from '../lambdas/core/config/config.ts';
import { CONNECT_SOURCE } from './formats/connect.ts';
import { FRESHDESK_SOURCE } from './formats/freshdesk.ts';
import { INTERCOM_SOURCE } from './formats/intercom.ts';
import { ACTIVITY_SOURCE, BRAND_HANDLE, PULSE_SOURCE, SOCIAL_SOURCE } from './formats/people.ts';
import { QA_SCORECARD_SOURCE, ZENDESK_QA_SOURCE } from './formats/quality.ts';
import {
  DELIGHTED_SOURCE,
  QUALTRICS_SOURCE,
  SURVEY_TIME_ZONE,
  SURVEYMONKEY_CES_HEADING,
  SURVEYMONKEY_COMMENT_HEADING,
  SURVEYMONKEY_SOURCE,
} from './formats/surveys.ts';
import { ZENDESK_ESCALATION_TAG, ZENDESK_SOURCE } from './formats/zendesk.ts';
import { DEMO_TEAMS } from './world.ts';

const byId = (id: (team: (typeof DEMO_TEAMS)[number]) => string | number) =>
  Object.fromEntries(DEMO_TEAMS.map((t) => [String(id(t)), t.name]));

export const DEMO_SOURCES: readonly SourceConfig[] = [
  {
    name: CONNECT_SOURCE,
    adapter: 'amazon-connect-ctr',
    description: 'Demo: Amazon Connect contact records from Kinesis Data Firehose',
    options: {
      teamHierarchyLevel: 2,
      // Each team owns the queue of its name, so abandoned calls count against it.
      queueTeams: byId((t) => t.name),
      surveyQuestions: { effort: { kind: 'ces', min: 1, max: 5, higherIsBetter: false } },
      resolvedQuestion: 'resolved',
      categoryAttribute: 'reason',
    },
  },
  {
    name: ZENDESK_SOURCE,
    adapter: 'zendesk',
    description: 'Demo: Zendesk incremental ticket export, satisfaction ratings and CSAT survey responses',
    options: {
      groupNames: byId((t) => t.zendeskGroupId),
      categoryTagPrefix: 'topic_',
      escalationTags: [ZENDESK_ESCALATION_TAG],
      slaTargets: {
        urgent: { firstResponseMinutes: 60, resolutionMinutes: 240 },
        high: { firstResponseMinutes: 120, resolutionMinutes: 480 },
        normal: { firstResponseMinutes: 480, resolutionMinutes: 1440 },
        low: { firstResponseMinutes: 1440, resolutionMinutes: 4320 },
      },
    },
  },
  {
    name: FRESHDESK_SOURCE,
    adapter: 'freshdesk',
    description: 'Demo: the Irish help desk on Freshdesk (tickets with stats, satisfaction ratings)',
    options: { groupNames: byId((t) => t.freshdeskGroupId) },
  },
  {
    name: INTERCOM_SOURCE,
    adapter: 'intercom',
    description: 'Demo: Intercom Messenger conversations (Search API pages)',
    options: { teamNames: byId((t) => t.intercomTeamId), categoryAttribute: 'Topic' },
  },
  {
    name: QUALTRICS_SOURCE,
    adapter: 'qualtrics',
    description: 'Demo: quarterly Qualtrics relationship survey (NPS 0-10, satisfaction 1-10)',
    options: {
      questions: [
        { column: 'Q1', kind: 'nps', commentColumn: 'Q3', touchpoint: 'relationship survey' },
        { column: 'Q2', kind: 'csat', scaleMin: 1, scaleMax: 10, touchpoint: 'relationship survey' },
      ],
      customerIdColumn: 'ExternalReference',
    },
  },
  {
    name: SURVEYMONKEY_SOURCE,
    adapter: 'surveymonkey',
    description: 'Demo: SurveyMonkey customer-effort survey after e-mail and chat contacts (CES 2.0, 1-7)',
    timeZone: SURVEY_TIME_ZONE,
    options: {
      questions: [
        {
          heading: SURVEYMONKEY_CES_HEADING,
          id: 'ces',
          kind: 'ces',
          commentHeading: SURVEYMONKEY_COMMENT_HEADING,
          touchpoint: 'after a digital contact',
        },
      ],
      customerIdColumn: 'Email Address',
      teamColumn: 'Custom Data 2',
    },
  },
  {
    name: DELIGHTED_SOURCE,
    adapter: 'delighted',
    description: 'Demo: Delighted NPS and CSAT after calls',
    options: {
      customerProperty: 'customer_id',
      agentProperty: 'agent',
      teamProperty: 'team',
      channelProperty: 'channel',
      touchpoint: 'after a call',
    },
  },
  {
    name: SOCIAL_SOURCE,
    adapter: 'social',
    description: 'Demo: public mentions of the brand and its replies (Twitter API v1.1 JSON Lines)',
    options: {
      format: 'jsonl',
      fields: {
        id: 'id_str',
        author: 'user.screen_name',
        text: 'text',
        createdAt: 'created_at',
        inReplyTo: 'in_reply_to_status_id_str',
      },
      platform: 'twitter',
      brandHandles: [`@${BRAND_HANDLE}`],
      timestampFormat: 'twitter',
    },
  },
  {
    name: QA_SCORECARD_SOURCE,
    adapter: 'qa-scorecard',
    description: 'Demo: QA scorecards and mystery-shop visits (long-format CSV)',
    options: {},
  },
  {
    name: ZENDESK_QA_SOURCE,
    adapter: 'zendesk-qa',
    description: 'Demo: Zendesk QA reviews of e-mail tickets',
    options: {},
  },
  {
    name: PULSE_SOURCE,
    adapter: 'employee-pulse',
    description: 'Demo: monthly anonymous employee pulse (eNPS, engagement) by team',
    options: {},
  },
  {
    name: ACTIVITY_SOURCE,
    adapter: 'customer-activity',
    description: 'Demo: customer signups, orders, renewals and cancellations',
    options: {},
  },
];

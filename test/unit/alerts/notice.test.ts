import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventBridgeEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertDetail, alertNotice } from '../../../lambdas/core/alerts/notice.ts';
import { postAlert } from '../../../lambdas/handlers/alert-webhook.ts';

const DETAIL: AlertDetail = {
  alert_id: '0123456789abcdef0123456789abcdef',
  alert_at: '2025-06-02T09:00:00.000Z',
  rule: 'detractors',
  kind: 'nps_detractor',
  source: 'delighted',
  source_ref: 'T-1001',
  team: 'Billing',
  agent_id: null,
  score: 3,
  comment: 'Waited <two> weeks',
  customer_key: 'c_abc',
};

const event = (detail: unknown): EventBridgeEvent<string, unknown> => ({
  version: '0',
  id: 'event-1',
  'detail-type': 'Closed-loop alert',
  source: 'servicebench.alerts',
  account: '123456789012',
  time: '2025-06-02T09:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});

let server: Server;
let url: string;
const bodies: unknown[] = [];
beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      bodies.push(JSON.parse(body));
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('alert notices', () => {
  it('names what happened, where to open it and who, in the words of the customer', () => {
    expect(alertNotice(DETAIL)).toEqual({
      title: 'NPS detractor (score 3): delighted T-1001',
      lines: ['“Waited <two> weeks”'],
      facts: [
        { name: 'Rule', value: 'detractors' },
        { name: 'When', value: '2025-06-02 09:00 UTC' },
        { name: 'Team', value: 'Billing' },
        { name: 'Agent', value: 'none recorded' },
        { name: 'Customer', value: 'c_abc' },
        { name: 'Alert', value: '0123456789abcdef0123456789abcdef' },
      ],
      links: [],
    });
    expect(alertNotice({ ...DETAIL, kind: 'repeat_contacts', score: 4, comment: null })).toMatchObject({
      title: 'Repeat contacts (4 contacts): delighted T-1001',
      lines: [],
    });
  });

  it('posts one Slack message per alert event, escaped for Slack', async () => {
    await postAlert(event(DETAIL), { format: 'slack', url });
    expect(bodies).toHaveLength(1);
    expect(JSON.stringify(bodies[0])).toContain('Waited &lt;two&gt; weeks');
    expect(bodies[0]).toMatchObject({ text: 'NPS detractor (score 3): delighted T-1001' });
  });

  it('fails on an event that is no alert, posting nothing', async () => {
    await expect(postAlert(event({ alert_id: 'x' }), { format: 'slack', url })).rejects.toThrow(
      /event event-1 is no closed-loop alert/,
    );
    expect(bodies).toHaveLength(1);
  });
});

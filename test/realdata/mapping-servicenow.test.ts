/**
 * servicenow-incidents.json over the real ServiceNow event log. Expected figures, with the latest
 * event of an incident chosen by (sys_updated_at, sys_mod_count):
 *   python3 -c "import csv,datetime as d; r=list(csv.DictReader(open('../shared/realdata/servicenow-incident-log/incident_event_log.csv', newline='')));
 *     p=lambda s: d.datetime.strptime(s,'%d-%m-%Y %H:%M'); last={}
 *     [last.__setitem__(x['number'], max(last.get(x['number'], x), x, key=lambda e: (p(e['sys_updated_at']), int(e['sys_mod_count'])))) for x in r]
 *     L=list(last.values()); print(len(r), sum(int(x['reassignment_count'])>0 for x in r), len(L),
 *       sum(x['incident_state']=='Closed' for x in L), sum(x['made_sla']=='TRUE' for x in L),
 *       sum(int(x['reassignment_count'])>0 for x in L), sum(int(x['reopen_count'])>0 for x in L))"
 *   → 5998 2851 890 890 495 391 10
 */
import { expect, it } from 'vitest';
import { describeRealdata } from '../support/realdata.ts';
import { count, runOnRealFile } from '../unit/adapters/mapping/support.ts';

const FILE = 'servicenow-incident-log/incident_event_log.csv';

describeRealdata('servicenow-incidents.json on the real event log', [FILE], () => {
  it('loads every event, and the latest event per incident gives the incident state', async () => {
    const run = await runOnRealFile('servicenow-incidents', FILE);
    expect(run.read).toBe(5_998);
    expect(run.rows).toHaveLength(5_998);
    expect(run.rejectedBy).toEqual({});
    expect(run.invalid).toBe(0);
    expect(count(run.rows, (r) => r.is_escalated === true)).toBe(2_851);

    const latest = new Map<string, Record<string, unknown>>();
    for (const row of run.rows) {
      const id = row.interaction_id as string;
      const seen = latest.get(id);
      if (!seen || (row.updated_at as Date) > (seen.updated_at as Date)) latest.set(id, row);
    }
    const incidents = [...latest.values()];
    expect(incidents).toHaveLength(890);
    expect(count(incidents, (r) => r.status === 'closed')).toBe(890);
    expect(count(incidents, (r) => r.sla_resolution_met === true)).toBe(495);
    expect(count(incidents, (r) => r.is_escalated === true)).toBe(391);
    expect(count(incidents, (r) => (r.reopen_count as number) > 0)).toBe(10);
    // the agent is assigned_to, else resolved_by when a close code is set: 666 + 7 assigned, 216
    // resolved and coded without an assignee; one incident has neither
    expect(count(incidents, (r) => r.agent_id !== null)).toBe(889);
    const updates = run.rows.map((r) => `${r.interaction_id} ${(r.updated_at as Date).toISOString()}`);
    // The source clock alone leaves ties (5,506 distinct number + sys_updated_at pairs); the
    // modification counter makes every event's updated_at distinct within its incident.
    expect(new Set(updates).size).toBe(5_998);
  });
});

/**
 * bank-calls.json over the real Anonymous Bank log. Expected figures come from the raw file:
 *   B=../shared/realdata/anonymous-bank-callcentre/data_anonymous_bank_february.txt
 *   tail -n +2 $B | wc -l                                                       → 33344 rows
 *   tr -d '\r' < $B | awk -F'\t' 'NR>1 && $13=="PHANTOM"' | wc -l               → 278
 *   tr -d '\r' < $B | awk -F'\t' 'NR>1 && $13!="PHANTOM" {
 *     if ($13=="HANG" && $10!="0:00:00") ab++; if ($13=="AGENT" && $14!="0:00:00") an++;
 *     if ($5=="TT") tt++; if ($10!="0:00:00") q++; if ($17!="NO_SERVER") ag++ }
 *     END { print ab, an, tt, q, ag }'                                           → 3963 27112 1047 18058 26671
 *   service starting more than 12 h "before" the VRU entry (after midnight)      → 4
 */
import { expect, it } from 'vitest';
import { describeRealdata } from '../support/realdata.ts';
import { count, runOnRealFile } from '../unit/adapters/mapping/support.ts';

const FILE = 'anonymous-bank-callcentre/data_anonymous_bank_february.txt';

describeRealdata('bank-calls.json on the real bank log', [FILE], () => {
  it('accounts for every call, drops PHANTOM rows and loads the rest as valid interactions', async () => {
    const run = await runOnRealFile('bank-calls', FILE);
    expect(run.read).toBe(33_344);
    expect(run.rows).toHaveLength(33_066);
    expect(run.rejectedBy).toEqual({ 'outcome: dropped by rule: PHANTOM is not a real call': 278 });
    expect(run.invalid).toBe(0);
    expect(new Set(run.rows.map((r) => r.interaction_id)).size).toBe(33_066);
    expect(count(run.rows, (r) => r.is_abandoned === true)).toBe(3_963);
    expect(count(run.rows, (r) => r.answered_at !== null)).toBe(27_112);
    expect(count(run.rows, (r) => r.is_callback === true)).toBe(1_047);
    expect(count(run.rows, (r) => r.queued_at !== null)).toBe(18_058);
    expect(count(run.rows, (r) => r.agent_id !== null)).toBe(26_671);
    // February 1999 in Israel is UTC+2 throughout, so the local day is the UTC day two hours on.
    const localDay = (d: unknown) => new Date((d as Date).getTime() + 2 * 3_600_000).getUTCDate();
    expect(count(run.rows, (r) => r.answered_at !== null && localDay(r.answered_at) !== localDay(r.created_at))).toBe(
      4,
    );
    const answeredLongBefore = (r: Record<string, unknown>) =>
      r.answered_at !== null && (r.answered_at as Date).getTime() < (r.created_at as Date).getTime() - 3_600_000;
    expect(count(run.rows, answeredLongBefore)).toBe(0);
  });
});

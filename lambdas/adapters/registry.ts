/** Every adapter the normaliser knows, by the name a source's `adapter` field uses. */
import type { Adapter } from '../core/normalise/adapter.ts';
import { amazonConnectAdapter } from './amazon-connect/index.ts';
import { customerActivityAdapter } from './customer-activity/index.ts';
import { delightedAdapter } from './delighted/index.ts';
import { employeePulseAdapter } from './employee-pulse/index.ts';
import { freshdeskAdapter } from './freshdesk/index.ts';
import { intercomAdapter } from './intercom/index.ts';
import { mappingAdapter } from './mapping/index.ts';
import { qaScorecardAdapter } from './qa-scorecard/index.ts';
import { qualtricsAdapter } from './qualtrics/index.ts';
import { socialAdapter } from './social/index.ts';
import { surveyMonkeyAdapter } from './surveymonkey/index.ts';
import { zendeskAdapter } from './zendesk/index.ts';
import { zendeskQaAdapter } from './zendesk-qa/index.ts';

/** Erases an adapter's options type: options are validated by its own schema at run time. */
const entry = <O>(adapter: Adapter<O>): Adapter => adapter as unknown as Adapter;

const ADAPTERS: readonly Adapter[] = [
  entry(mappingAdapter),
  entry(amazonConnectAdapter),
  entry(zendeskAdapter),
  entry(freshdeskAdapter),
  entry(intercomAdapter),
  entry(qualtricsAdapter),
  entry(surveyMonkeyAdapter),
  entry(delightedAdapter),
  entry(socialAdapter),
  entry(qaScorecardAdapter),
  entry(zendeskQaAdapter),
  entry(employeePulseAdapter),
  entry(customerActivityAdapter),
];

const BY_NAME = new Map<string, Adapter>(ADAPTERS.map((a) => [a.name, a]));

export function listAdapters(): readonly Adapter[] {
  return [...BY_NAME.values()];
}

export function getAdapter(name: string): Adapter {
  const adapter = BY_NAME.get(name);
  if (!adapter) {
    throw new Error(`unknown adapter "${name}"; known adapters: ${[...BY_NAME.keys()].sort().join(', ')}`);
  }
  return adapter;
}

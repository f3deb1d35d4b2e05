/**
 * The life of a written contact (ticket, e-mail, chat): first reply, resolution, reopen, escalation,
 * hand-over between groups, and how it looked when a given export ran. Help desks differ in how they
 * write it down, not in what happens.
 */
import type { Random } from '../random.ts';
import { after, type Contact } from '../world.ts';

export type Priority = 'low' | 'normal' | 'high' | 'urgent';

/** Typical minutes to first reply and to resolution by priority, for an average agent. */
const PACE: Readonly<Record<Priority, { reply: number; resolve: number }>> = {
  urgent: { reply: 25, resolve: 110 },
  high: { reply: 55, resolve: 240 },
  normal: { reply: 180, resolve: 640 },
  low: { reply: 480, resolve: 1500 },
};

export interface Lifecycle {
  readonly priority: Priority;
  /** Null when nobody replied yet at the end of the data. */
  readonly firstReplyAt: Date | null;
  readonly solvedAt: Date | null;
  readonly reopenedAt: Date | null;
  readonly reopens: number;
  readonly replies: number;
  readonly escalated: boolean;
  readonly handedOver: boolean;
}

/** Relative frequency of each priority, made once rather than per contact. */
const PRIORITY_WEIGHTS: readonly (readonly [Priority, number])[] = [
  ['low', 15],
  ['normal', 58],
  ['high', 21],
  ['urgent', 6],
];

/** `pace` scales every duration (chat is minutes where e-mail is hours). */
export function lifecycle(random: Random, contact: Contact, horizon: Date, pace = 1): Lifecycle {
  const priority = random.weighted(PRIORITY_WEIGHTS);
  const q = contact.quality;
  const load = 1 / contact.staffing ** 2;
  const replyMin = random.lognormal(PACE[priority].reply * (1.6 - q) * load * pace, 0.7);
  const resolveMin = replyMin + random.lognormal(PACE[priority].resolve * (1.5 - 0.8 * q) * load * pace, 0.6);
  const reopens = random.chance(0.03 + 0.14 * (1 - q)) ? (random.chance(0.2) ? 2 : 1) : 0;
  const reopenExtraMin = reopens * random.lognormal(600 * pace, 0.6);
  const firstReplyAt = after(contact.createdAt, replyMin * 60);
  const solvedAt = after(contact.createdAt, (resolveMin + reopenExtraMin) * 60);
  const reopenedAt = reopens > 0 ? after(contact.createdAt, (resolveMin + reopenExtraMin * 0.4) * 60) : null;
  return {
    priority,
    firstReplyAt: firstReplyAt <= horizon ? firstReplyAt : null,
    solvedAt: solvedAt <= horizon ? solvedAt : null,
    reopenedAt: reopenedAt !== null && reopenedAt <= horizon ? reopenedAt : null,
    reopens: reopenedAt !== null && reopenedAt <= horizon ? reopens : 0,
    replies: 1 + random.poisson(1.2 - 0.6 * q) + reopens,
    escalated: random.chance(0.02 + 0.08 * (1 - q) + (priority === 'urgent' ? 0.08 : 0)),
    handedOver: random.chance(0.04 + 0.06 * (1 - q)),
  };
}

/** Minutes between two instants, as help desks report them (whole minutes). */
export function minutesBetween(from: Date, to: Date): number {
  return Math.max(0, Math.round((to.getTime() - from.getTime()) / 60_000));
}

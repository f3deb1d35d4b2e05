/** Environment of the silence check (set by lib/operations.ts, read by lambdas/handlers/silence.ts). */
import { z } from 'zod';
import type { SourceConfig } from '../config/config.ts';
import { nonEmpty } from './environment.ts';
import { telemetryEnvSchema } from './telemetry.ts';

/** A source's silence threshold, as the config bounds it (sources[].silenceHours). */
const silenceHours = z.number().int().min(1).max(744);

export const silenceCheckEnvSchema = telemetryEnvSchema.extend({
  /** Bucket of the delivery markers (the curated bucket, under DELIVERIES_PREFIX). */
  DELIVERIES_BUCKET: nonEmpty('the curated bucket name'),
  /** JSON object: each watched source's name → its silenceHours (the alarm's threshold; the check logs it). */
  WATCHED_SOURCES: z
    .string({ error: 'must be set to a JSON object of source name → silence hours' })
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of source name → silence hours' });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .record(z.string().min(1), silenceHours)
        .refine((watched) => Object.keys(watched).length > 0, 'must name at least one source'),
    ),
});

export type SilenceCheckEnvironment = z.input<typeof silenceCheckEnvSchema>;
export type SilenceCheckSettings = z.output<typeof silenceCheckEnvSchema>;

/** The sources that set silenceHours, by name: the ones the check watches. */
export function watchedSources(sources: readonly SourceConfig[]): Record<string, number> {
  const watched: Record<string, number> = {};
  for (const source of sources) if (source.silenceHours !== undefined) watched[source.name] = source.silenceHours;
  return watched;
}

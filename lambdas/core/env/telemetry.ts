/**
 * Environment of every function that publishes ServiceBench metrics (set by the construct that
 * creates the function, read by its handler): the stack name, the dimension that keeps the metrics
 * of several stacks in one account and region apart, and that the alarms and dashboard filter on.
 * The normaliser reads it apart from normaliserEnvSchema, when the handler adds its telemetry.
 */
import { z } from 'zod';
import { nonEmpty } from './environment.ts';

export const telemetryEnvSchema = z.object({
  STACK_NAME: nonEmpty('the stack name (the Stack dimension of the metrics)'),
});

export type TelemetryEnvironment = z.input<typeof telemetryEnvSchema>;
export type TelemetrySettings = z.output<typeof telemetryEnvSchema>;

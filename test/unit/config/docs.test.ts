/** The config's JSON Schema and reference page are generated (`npm run docs`) and committed fresh. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stripJsonComments } from '../../../lambdas/core/config/config.ts';
import {
  CONFIG_REFERENCE_FILE,
  CONFIG_SCHEMA_FILE,
  configJsonSchema,
  configJsonSchemaText,
  configReferenceMarkdown,
} from '../../../lambdas/core/config/docs.ts';
import { EXAMPLE_CONFIG_FILE } from '../../../lambdas/core/config/locate.ts';

const committed = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');

describe('generated config documents', () => {
  it(`${CONFIG_SCHEMA_FILE} is what the generator writes (run npm run docs)`, () => {
    // Compared as JSON: the generator leaves the layout to the formatter.
    expect(JSON.parse(committed(CONFIG_SCHEMA_FILE))).toEqual(JSON.parse(configJsonSchemaText()));
  });

  it(`${CONFIG_REFERENCE_FILE} is what the generator writes (run npm run docs)`, () => {
    expect(committed(CONFIG_REFERENCE_FILE)).toBe(configReferenceMarkdown());
  });

  it('is named by the shipped example and closes every object of the config to unknown keys', () => {
    const example = JSON.parse(stripJsonComments(readFileSync(EXAMPLE_CONFIG_FILE, 'utf8'))) as Record<string, unknown>;
    expect(example.$schema).toBe(`./${CONFIG_SCHEMA_FILE.split('/').pop()}`);
    const schema = configJsonSchema() as {
      additionalProperties?: boolean;
      properties: Record<string, { additionalProperties?: boolean; items?: { additionalProperties?: boolean } }>;
    };
    expect(schema.additionalProperties).toBe(false);
    for (const key of ['metrics', 'benchmarks', 'ingest', 'lake', 'deployment']) {
      expect(schema.properties[key]?.additionalProperties, key).toBe(false);
    }
    for (const key of ['sources', 'targets', 'reports']) {
      expect(schema.properties[key]?.items?.additionalProperties, key).toBe(false);
    }
  });

  it('lists every key of the config in the reference page', () => {
    const page = configReferenceMarkdown();
    for (const key of [
      'sources[].timeZone',
      'metrics.minSample',
      'targets[].scope',
      'ingest.maxRejectShare',
      'lake.partitionsFrom',
    ]) {
      expect(page).toContain(`| \`${key}\` |`);
    }
  });
});

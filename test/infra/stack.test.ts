import { describe, expect, it } from 'vitest';
import { synth } from './support.ts';

/**
 * Replaces what changes for reasons outside the stack's own design: asset hashes, and the content
 * other modules own (canonical columns, view SQL, reference rows, the config's defaults), each of
 * which has its own fine-grained assertion.
 */
function normalise(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template), (key, value) => {
    if (key === 'Columns') return '<derived columns>';
    if (key === 'Views' && Array.isArray(value)) return '<sql/registry.ts views>';
    if (key === 'ReferenceTables' && Array.isArray(value)) return '<reference tables>';
    if (key === 'Metadata') return undefined;
    if (typeof value === 'string' && /^[0-9a-f]{64}(\.zip|\.json)?$/.test(value)) return '<asset hash>';
    return value;
  });
}

describe('ServiceBenchStack', () => {
  it('matches the reviewed template', () => {
    expect(normalise(synth().template.toJSON())).toMatchSnapshot();
  });

  it('keeps the logical ids of its data resources', () => {
    const resources = synth().template.toJSON().Resources as Record<string, { Type: string }>;
    const data = Object.entries(resources)
      .filter(([, r]) =>
        ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::SecretsManager::Secret', 'AWS::Glue::Database'].includes(r.Type),
      )
      .map(([id]) => id)
      .sort();
    expect(data).toEqual([
      'AlertsTopicKey4FD54A73',
      'CatalogDatabaseE63956BB',
      'ExportsReportLinkSignerSecretEDE56700',
      'IngestionPseudonymKey30BBD2B0',
      'IngestionQueueKey68402D89',
      'StorageAccessLogs96FB524C',
      'StorageAthenaResults77D61381',
      'StorageCurated8783DDC7',
      'StorageExports62CF1092',
      'StorageKeyBAA9457B',
      'StorageLandingB13DAC19',
      'StorageQuarantine381A7D7C',
    ]);
  });
});

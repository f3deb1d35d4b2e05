import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../lambdas/core/config/defaults.ts';
import { EXPORTER_DEFAULTS } from '../../lambdas/core/env/exporter.ts';
import { CATALOG_DEFAULTS } from '../../lib/catalog.ts';
import { EXPORTS_DEFAULTS } from '../../lib/exports.ts';
import { LAMBDA_RUNTIME, LOG_RETENTION } from '../../lib/function.ts';
import { INGESTION_DEFAULTS } from '../../lib/ingestion.ts';
import { OPERATIONS_DEFAULTS } from '../../lib/operations.ts';
import { STORAGE_DEFAULTS } from '../../lib/storage.ts';
import { WORKGROUP_DEFAULTS } from '../../lib/workgroup.ts';

/** Pins every default listed in docs/deploy.md, "Default settings": changing one changes the docs. */
describe('documented stack defaults', () => {
  it('keeps the storage lifecycle', () => {
    expect(STORAGE_DEFAULTS).toEqual({
      landingInfrequentAccessDays: 30,
      landingGlacierIrDays: 90,
      noncurrentVersionExpirationDays: 30,
      quarantineExpirationDays: 90,
      athenaResultsExpirationDays: 7,
      exportsInfrequentAccessDays: 90,
      accessLogsExpirationDays: 365,
      incompleteMultipartUploadDays: 7,
    });
  });

  it('keeps the ingestion sizing and retries', () => {
    expect(INGESTION_DEFAULTS.timeout.toMinutes()).toBe(15);
    expect(INGESTION_DEFAULTS.timeout.toSeconds() * INGESTION_DEFAULTS.visibilityTimeoutFactor).toBe(90 * 60);
    expect(INGESTION_DEFAULTS.memorySize).toBe(3008);
    expect(INGESTION_DEFAULTS.ephemeralStorage.toGibibytes()).toBe(10);
    expect(INGESTION_DEFAULTS.maxConcurrency).toBe(5);
    expect(INGESTION_DEFAULTS.batchSize).toBe(5);
    expect(INGESTION_DEFAULTS.maxReceiveCount).toBe(3);
    expect(INGESTION_DEFAULTS.deadLetterRetention.toDays()).toBe(14);
    expect(INGESTION_DEFAULTS.pseudonymKeyLength).toBe(64);
  });

  it('keeps the catalog, query and export settings', () => {
    expect(CATALOG_DEFAULTS).toEqual({
      referencePrefix: 'reference/',
      materialisedPrefix: 'materialised/',
    });
    expect(WORKGROUP_DEFAULTS).toEqual({
      bytesScannedCutoffPerQuery: 10_000_000_000,
      resultsPrefix: 'results/',
    });
    expect(EXPORTS_DEFAULTS.flexibleWindow.toMinutes()).toBe(15);
    expect(EXPORTS_DEFAULTS.schedulerRetryAttempts).toBe(3);
    expect(EXPORTS_DEFAULTS.schedulerMaxEventAge.toHours()).toBe(6);
    expect(EXPORTS_DEFAULTS.asyncRetryAttempts).toBe(1);
    expect(EXPORTS_DEFAULTS.chromiumPath).toBe('/opt/chromium');
    expect(EXPORTER_DEFAULTS.linkTtlSeconds).toBe(7 * 24 * 3600);
    expect(EXPORTS_DEFAULTS.linkSignerKeySerial).toBe(1);
  });

  it('refreshes the materialised metric tables daily at 03:00 UTC', () => {
    expect(DEFAULTS.refreshSchedule).toBe('cron(0 3 * * ? *)');
  });

  it('keeps the runtime, log retention and alarm period', () => {
    expect(LAMBDA_RUNTIME.name).toBe('nodejs22.x');
    expect(LOG_RETENTION).toBe(90);
    expect(OPERATIONS_DEFAULTS.period.toMinutes()).toBe(5);
  });
});

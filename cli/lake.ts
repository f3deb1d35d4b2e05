/**
 * The local lake: a folder that mirrors the deployed S3 layout, so the same normaliser and the same
 * views run on one machine. landing/ holds raw exports (never modified), curated/ the canonical
 * Parquet (one compacted file per table and day, derived from the per-object files of
 * curated/_staging/), quarantine/ the rejects, exports/ the reports.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MIN_KEY_BYTES } from '../lambdas/core/normalise/pseudonymise.ts';
import { LocalObjectStore } from '../lambdas/core/store/local.ts';

export const LAKE_ZONES = ['landing', 'curated', 'quarantine', 'exports'] as const;
export type LakeZone = (typeof LAKE_ZONES)[number];
const KEY_FILE = '.servicebench/pseudonymisation.key';

export interface Lake {
  readonly dir: string;
  readonly stores: Readonly<Record<LakeZone, LocalObjectStore>>;
  zoneDir(zone: LakeZone): string;
}

export function openLake(dir: string): Lake {
  const root = resolve(dir);
  for (const zone of LAKE_ZONES) mkdirSync(join(root, zone), { recursive: true });
  const stores = Object.fromEntries(LAKE_ZONES.map((z) => [z, new LocalObjectStore(join(root, z))])) as Record<
    LakeZone,
    LocalObjectStore
  >;
  return { dir: root, stores, zoneDir: (zone) => join(root, zone) };
}

export interface PseudonymKey {
  readonly key: Uint8Array;
  /** Set when the key was created by this call: the caller warns that it must be backed up. */
  readonly createdAt?: string;
  readonly origin: string;
}

/**
 * The pseudonymisation secret: SERVICEBENCH_PSEUDONYM_KEY (hex or base64) when set, otherwise the
 * lake's own key file, generated once. Losing that file means new pseudonyms no longer match old ones.
 */
export function pseudonymKey(lake: Lake, env: NodeJS.ProcessEnv = process.env): PseudonymKey {
  const fromEnv = env.SERVICEBENCH_PSEUDONYM_KEY;
  if (fromEnv) {
    const key = /^[0-9a-f]+$/i.test(fromEnv) ? Buffer.from(fromEnv, 'hex') : Buffer.from(fromEnv, 'base64');
    if (key.byteLength < MIN_KEY_BYTES) {
      throw new Error(`SERVICEBENCH_PSEUDONYM_KEY must encode at least ${MIN_KEY_BYTES} bytes (hex or base64)`);
    }
    return { key, origin: 'SERVICEBENCH_PSEUDONYM_KEY' };
  }
  const file = join(lake.dir, KEY_FILE);
  if (existsSync(file)) return { key: Buffer.from(readFileSync(file, 'utf8').trim(), 'hex'), origin: file };
  mkdirSync(join(lake.dir, '.servicebench'), { recursive: true });
  const key = randomBytes(MIN_KEY_BYTES);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  return { key, origin: file, createdAt: new Date().toISOString() };
}

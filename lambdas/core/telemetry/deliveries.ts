/**
 * Per-source delivery markers in the curated bucket, so the silence check finds a source's last
 * delivery with one GET instead of listing years of landing objects (S3 lists keys in name order,
 * never by date). The normaliser writes a source's marker each time it lands a file; the check
 * writes a watch-start marker the first time it looks for a source that never delivered, so such a
 * source counts from then (the first hourly check after the deployment). Two keys, each with one
 * writer, so the check never overwrites a delivery. Engines skip `_` prefixes, as for `_staging/`.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ObjectNotFoundError, type ObjectStore } from '../store/object-store.ts';

export const DELIVERIES_PREFIX = '_deliveries/';
/** Written by the normaliser. */
export const LAST_DELIVERY_FILE = 'last-delivery.json';
/** Written by the silence check, once per source that had not delivered when it first looked. */
export const WATCH_START_FILE = 'watched-since.json';

export const lastDeliveryKey = (source: string): string => `${DELIVERIES_PREFIX}${source}/${LAST_DELIVERY_FILE}`;
export const watchStartKey = (source: string): string => `${DELIVERIES_PREFIX}${source}/${WATCH_START_FILE}`;

const deliverySchema = z.object({
  source: z.string().min(1),
  object_key: z.string().min(1),
  /** When the file landed (the landing object's last-modified time), ISO 8601. */
  landed_at: z.iso.datetime(),
});
const watchStartSchema = z.object({ source: z.string().min(1), watched_since: z.iso.datetime() });

export interface Delivery {
  readonly source: string;
  readonly objectKey: string;
  readonly landedAt: Date;
}

async function readJson<S extends z.ZodType>(
  store: ObjectStore,
  key: string,
  schema: S,
): Promise<z.output<S> | undefined> {
  let body: Readable;
  try {
    body = await store.read(key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return undefined;
    throw error;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  const parsed = schema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  if (!parsed.success)
    throw new Error(`${store.location}${key} is not a delivery marker: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export async function lastDelivery(store: ObjectStore, source: string): Promise<Delivery | undefined> {
  const marker = await readJson(store, lastDeliveryKey(source), deliverySchema);
  return marker && { source: marker.source, objectKey: marker.object_key, landedAt: new Date(marker.landed_at) };
}

/**
 * Records a landed file as its source's last delivery unless the marker already names a later one:
 * replaying an old landing object is not a new delivery. Two files of one source finishing at once
 * may race between the read and the write; the marker then lags by the seconds between their
 * landings, nothing an hours-long silence threshold can see. Returns whether the marker moved.
 */
export async function recordDelivery(store: ObjectStore, delivery: Delivery): Promise<boolean> {
  const previous = await lastDelivery(store, delivery.source);
  if (previous && previous.landedAt.getTime() >= delivery.landedAt.getTime()) return false;
  const marker: z.input<typeof deliverySchema> = {
    source: delivery.source,
    object_key: delivery.objectKey,
    landed_at: delivery.landedAt.toISOString(),
  };
  await store.write(lastDeliveryKey(delivery.source), `${JSON.stringify(marker)}\n`, 'application/json');
  return true;
}

export interface Silence {
  readonly source: string;
  /** Hours from `since` to the check, to the hundredth. */
  readonly hours: number;
  readonly since: Date;
  /** `last-delivery`: the source's last file; `watch-start`: it never delivered, counted from the first check. */
  readonly basis: 'last-delivery' | 'watch-start';
  /** The landing key of the last delivery; null when the source never delivered. */
  readonly lastObjectKey: string | null;
}

const HOUR_MS = 3_600_000;

/** How long a source has been silent at `now`; the first look at a source that never delivered starts its watch. */
export async function measureSilence(store: ObjectStore, source: string, now: Date): Promise<Silence> {
  const delivery = await lastDelivery(store, source);
  if (delivery) {
    return {
      source,
      hours: hoursBetween(delivery.landedAt, now),
      since: delivery.landedAt,
      basis: 'last-delivery',
      lastObjectKey: delivery.objectKey,
    };
  }
  let start = await readJson(store, watchStartKey(source), watchStartSchema);
  if (!start) {
    start = { source, watched_since: now.toISOString() };
    await store.write(watchStartKey(source), `${JSON.stringify(start)}\n`, 'application/json');
  }
  const since = new Date(start.watched_since);
  return { source, hours: hoursBetween(since, now), since, basis: 'watch-start', lastObjectKey: null };
}

/** Whole hundredths of an hour; a clock that reads before `from` (skew) counts as no silence. */
function hoursBetween(from: Date, to: Date): number {
  return Math.max(0, Math.round(((to.getTime() - from.getTime()) / HOUR_MS) * 100) / 100);
}

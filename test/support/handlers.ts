/**
 * The Lambda handler tests' harness: SQS records as Lambda's event source delivers them (an S3
 * notification, an EventBridge event or a compaction message as the body), and an object's bytes.
 */
import type { SQSRecord } from 'aws-lambda';
import type { ObjectStore } from '../../lambdas/core/store/object-store.ts';

export interface RecordOptions {
  /** @default '1' */
  readonly receiveCount?: string;
  /** @default the ingestion queue */
  readonly queueArn?: string;
  /** @default 'AIDAS3' */
  readonly senderId?: string;
  /** Further system attributes (a FIFO queue's MessageGroupId). */
  readonly attributes?: Readonly<Record<string, string>>;
}

export function sqsRecord(messageId: string, body: string, options: RecordOptions = {}): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: options.receiveCount ?? '1',
      SentTimestamp: '1709596800000',
      SenderId: options.senderId ?? 'AIDAS3',
      ApproximateFirstReceiveTimestamp: '1709596800000',
      ...options.attributes,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn ?? 'arn:aws:sqs:eu-west-1:123456789012:ingestion',
    awsRegion: 'eu-west-1',
  };
}

/** S3's object-created notification of one key (URL-encoded as S3 encodes it), as its SQS record. */
export function s3NotificationRecord(messageId: string, bucket: string, key: string): SQSRecord {
  const encoded = encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+');
  const body = {
    Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key: encoded } } }],
  };
  return sqsRecord(messageId, JSON.stringify(body));
}

export async function objectBytes(store: ObjectStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await store.read(key)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

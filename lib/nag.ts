import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Records why a cdk-nag finding is accepted, on the construct that causes it (and its children). */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The exact IAM5 finding id for a resource ARN with a wildcard suffix, as cdk-nag spells it:
 * `AwsSolutions-IAM5[Resource::<LogicalId.Arn>/prefix/*]`.
 */
export function wildcardResourceFinding(resource: IConstruct, suffix: string, attribute = 'Arn'): string {
  const element = (resource.node.defaultChild ?? resource) as CfnElement;
  return `AwsSolutions-IAM5[Resource::<${Stack.of(resource).getLogicalId(element)}.${attribute}>${suffix}]`;
}

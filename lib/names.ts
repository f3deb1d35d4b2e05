/**
 * Physical names of the stack's named resources, derived from the stack name in one place, so two
 * stacks of one account and region (`-c servicebench:stackName=ServiceBench-Staging`) never
 * collide. Every other resource lets CloudFormation generate its name, which already embeds the
 * stack name.
 *
 * Only the Glue database, the Athena workgroup and the operations dashboard carry names: people type them (in the Athena
 * console, in a Trino catalog, in BI tools), so they must be readable. Both are the stack name in
 * lower case with `-` spelled `_`: the default stack `ServiceBench` keeps `servicebench`, the name
 * every deployment so far has, because renaming a database or a workgroup replaces it (CloudFormation
 * cannot rename either) and breaks every saved query and client pointing at it.
 */

/** CloudFormation's own rule for stack names. */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]*$/;
export const STACK_NAME_MAX_LENGTH = 128;

/** What the derived names must match, pinned by the tests. Glue (and Athena's Hive DDL) accept lower-case letters, digits and underscores, 1 to 255 characters. */
export const GLUE_DATABASE_NAME = /^[a-z0-9_]{1,255}$/;
/** Athena workgroups: letters, digits, `.`, `_` and `-`, 1 to 128 characters. */
export const ATHENA_WORKGROUP_NAME = /^[A-Za-z0-9._-]{1,128}$/;

export interface ResourceNames {
  /** Glue database of the curated, reference and materialised tables and the views. */
  readonly glueDatabase: string;
  /** Athena workgroup the functions query in and people are pointed at. */
  readonly athenaWorkgroup: string;
  /** CloudWatch dashboard of the stack's operations (letters, digits, `-` and `_`, up to 255). */
  readonly operationsDashboard: string;
}

/** What a stack name lacks to be one, or undefined when it is one. */
export function stackNameProblem(stackName: string): string | undefined {
  if (!STACK_NAME.test(stackName)) {
    return `letters, digits and hyphens, starting with a letter (got ${JSON.stringify(stackName)})`;
  }
  if (stackName.length > STACK_NAME_MAX_LENGTH) {
    return `at most ${STACK_NAME_MAX_LENGTH} characters (got ${stackName.length})`;
  }
  return undefined;
}

/**
 * `ServiceBench` → `servicebench`, `ServiceBench-Staging` → `servicebench_staging`. Any valid stack
 * name gives valid names: at most 128 characters of `[a-z0-9_]`, within both services' limits.
 * Stack names that differ only in letter case give the same names; Glue folds database names to
 * lower case anyway, so such stacks could never share an account and region.
 */
export function resourceNames(stackName: string): ResourceNames {
  const problem = stackNameProblem(stackName);
  if (problem !== undefined) throw new Error(`the stack name must be a CloudFormation stack name: ${problem}`);
  const name = stackName.toLowerCase().replaceAll('-', '_');
  return { glueDatabase: name, athenaWorkgroup: name, operationsDashboard: `${stackName}-operations` };
}

import { describe, expect, it } from 'vitest';
import { APP_DEFAULTS } from '../../lib/app-settings.ts';
import { ATHENA_WORKGROUP_NAME, GLUE_DATABASE_NAME, resourceNames, stackNameProblem } from '../../lib/names.ts';

describe('resourceNames', () => {
  it('keeps servicebench for the default stack, the names every deployment so far has', () => {
    expect(resourceNames(APP_DEFAULTS.stackName)).toEqual({
      glueDatabase: 'servicebench',
      athenaWorkgroup: 'servicebench',
    });
  });

  it('lower-cases another stack name and spells its hyphens as underscores', () => {
    expect(resourceNames('ServiceBench-Staging')).toEqual({
      glueDatabase: 'servicebench_staging',
      athenaWorkgroup: 'servicebench_staging',
    });
    expect(resourceNames('sb-2-EU-prod').glueDatabase).toBe('sb_2_eu_prod');
  });

  it('gives valid names for the shortest and the longest stack names', () => {
    const longest = `A${'-b9'.repeat(42)}C`;
    expect(longest).toHaveLength(128);
    for (const stackName of ['X', longest]) {
      const names = resourceNames(stackName);
      expect(names.glueDatabase).toMatch(GLUE_DATABASE_NAME);
      expect(names.athenaWorkgroup).toMatch(ATHENA_WORKGROUP_NAME);
    }
    expect(resourceNames(longest).athenaWorkgroup).toHaveLength(128);
  });

  it('fails on a name CloudFormation would refuse, naming the rule', () => {
    expect(stackNameProblem('ServiceBench')).toBeUndefined();
    expect(() => resourceNames('1-stack')).toThrow(
      'the stack name must be a CloudFormation stack name: letters, digits and hyphens, starting with a letter (got "1-stack")',
    );
    expect(() => resourceNames('Service_Bench')).toThrow(/letters, digits and hyphens/);
    expect(() => resourceNames('')).toThrow(/letters, digits and hyphens/);
    expect(() => resourceNames(`S${'b'.repeat(128)}`)).toThrow(/at most 128 characters \(got 129\)/);
  });
});

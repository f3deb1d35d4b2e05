/**
 * Construct ids derived from names: a table, source or report name always gives the same id, and
 * an id is a resource's identity, so renaming the helper's output would replace the resource.
 */

/** `survey_responses` → `SurveyResponses`, `bank-calls` → `BankCalls`. */
export function pascal(name: string): string {
  return name
    .split(/[-_]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

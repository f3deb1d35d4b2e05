/**
 * How many times a query scans each canonical table once every view and CTE it names is inlined,
 * as Trino inlines them (each reference plans its own scan). Read from the view files with
 * the registry; comments are ignored, CTE bodies are counted once per reference.
 */
import { TABLE_NAMES } from '../../lambdas/core/schema/canonical.ts';
import { VIEWS, viewSql } from '../../sql/registry.ts';

const VIEW_NAMES = new Set(VIEWS.map((v) => v.name));
const CANONICAL = new Set<string>(TABLE_NAMES);

/** Canonical table → number of scans of it, for one SQL text (a query or a view's SELECT). */
export function canonicalScans(sql: string, outerCtes: ReadonlyMap<string, string> = new Map()): Map<string, number> {
  const body = sql.replace(/--.*$/gm, '');
  const ctes = new Map(outerCtes);
  // A CTE is `name AS (` right after WITH or a comma; its body is counted where it is referenced.
  const bodies: [number, number][] = [];
  for (const match of body.matchAll(/\b([a-z_][a-z0-9_]*)\s+AS\s+\(/gi)) {
    if (!/(WITH|,)$/i.test(body.slice(0, match.index).trimEnd())) continue;
    const open = match.index + match[0].length - 1;
    const close = closingParenthesis(body, open);
    ctes.set(String(match[1]).toLowerCase(), body.slice(open + 1, close));
    bodies.push([open, close]);
  }
  let outside = body;
  for (const [open, close] of bodies.reverse()) {
    outside = outside.slice(0, open + 1) + ' '.repeat(close - open - 1) + outside.slice(close);
  }
  const scans = new Map<string, number>();
  const add = (more: ReadonlyMap<string, number>) => {
    for (const [table, n] of more) scans.set(table, (scans.get(table) ?? 0) + n);
  };
  for (const match of outside.matchAll(/\b(?:FROM|JOIN)\s+([a-z_][a-z0-9_]*)/gi)) {
    const name = String(match[1]).toLowerCase();
    const cte = ctes.get(name);
    if (cte !== undefined) {
      const visible = new Map(ctes);
      visible.delete(name);
      add(canonicalScans(cte, visible));
    } else if (VIEW_NAMES.has(name)) {
      add(canonicalScans(viewSql(name)));
    } else if (CANONICAL.has(name)) {
      add(new Map([[name, 1]]));
    }
  }
  return scans;
}

function closingParenthesis(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  throw new Error(`unbalanced parenthesis at ${open}`);
}

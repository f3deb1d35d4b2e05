/**
 * Named `:name` placeholders, as the QueryEngine contract writes them. Each engine binds them its
 * own way (DuckDB `$name`, Athena positional `?`), but finding them is the same: never inside a
 * string literal, a quoted identifier or a comment, and never the `::` cast operator.
 */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Rewrites every placeholder with `replace(name)`; returns the text and the names in order of appearance. */
export function rewritePlaceholders(sql: string, replace: (name: string) => string): { text: string; names: string[] } {
  const names: string[] = [];
  let text = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    let stop: number;
    if (ch === "'" || ch === '"') stop = closingQuote(sql, i, ch);
    else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      stop = end === -1 ? sql.length : end;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      stop = end === -1 ? sql.length : end + 2;
    } else if (ch === ':' && next === ':') stop = i + 2;
    else if (ch === ':' && next !== undefined && /[A-Za-z_]/.test(next)) {
      const name = NAME.exec(sql.slice(i + 1))?.[0] as string;
      names.push(name);
      text += replace(name);
      i += 1 + name.length;
      continue;
    } else stop = i + 1;
    text += sql.slice(i, stop);
    i = stop;
  }
  return { text, names };
}

function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}

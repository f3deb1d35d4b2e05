-- Trino functions the views use that DuckDB spells or means differently. Loaded by the local engine
-- (lambdas/core/query/duckdb.ts) before the views; Athena runs the views without this file.
-- The engine also sets integer_division = true, so `/` between integers truncates as in Trino and
-- a forgotten CAST shows up in local tests instead of only on Athena.

-- Trino: seconds since the epoch as DOUBLE, with fractions. DuckDB calls it epoch().
CREATE OR REPLACE MACRO to_unixtime(ts) AS epoch(ts);

-- Trino functions the views use that DuckDB spells or means differently. Loaded by the local engine
-- (lambdas/core/query/duckdb.ts) before the views; Athena runs the views without this file.
-- The engine also sets integer_division = true, so `/` between integers truncates as in Trino and
-- a forgotten CAST shows up in local tests instead of only on Athena.

-- Trino: seconds since the epoch as DOUBLE, with fractions. DuckDB calls it epoch().
CREATE OR REPLACE MACRO to_unixtime(ts) AS epoch(ts);

-- Trino: greatest/least return NULL when any argument is NULL; DuckDB skips NULLs. (Two arguments,
-- the only form the views use.)
CREATE OR REPLACE MACRO greatest(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN a >= b THEN a ELSE b END;
CREATE OR REPLACE MACRO least(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN a <= b THEN a ELSE b END;

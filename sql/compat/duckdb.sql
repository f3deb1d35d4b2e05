-- Trino functions the views use that DuckDB spells or means differently. Loaded by the local engine
-- (cli/duckdb.ts) before the views; Athena runs the views without this file.
-- The engine also sets integer_division = true, so `/` between integers truncates as in Trino and
-- a forgotten CAST shows up in local tests instead of only on Athena.

-- Trino: seconds since the epoch as DOUBLE, with fractions. DuckDB calls it epoch().
CREATE OR REPLACE MACRO to_unixtime(ts) AS epoch(ts);

-- Trino: greatest/least return NULL when any argument is NULL; DuckDB skips NULLs. (Two arguments,
-- the only form the views use.)
CREATE OR REPLACE MACRO greatest(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN a >= b THEN a ELSE b END;
CREATE OR REPLACE MACRO least(a, b) AS CASE WHEN a IS NULL OR b IS NULL THEN NULL WHEN a <= b THEN a ELSE b END;

-- Trino: count_if over no rows, or over only NULL and false, is 0 (a count); DuckDB's is NULL.
CREATE OR REPLACE MACRO count_if(condition) AS count(CASE WHEN condition THEN 1 END);

-- Trino: corr is NULL when it is not a finite number (one pair, or a side that does not vary);
-- DuckDB's is NaN. system.main.corr is DuckDB's own, which this macro shadows.
CREATE OR REPLACE MACRO corr(y, x) AS CASE WHEN isfinite(system.main.corr(y, x)) THEN system.main.corr(y, x) END;

-- Every other aggregate the views use (count, sum, avg, min, max, max_by, stddev_samp, variance,
-- var_pop, bool_or, bool_and) already gives Trino's result over no rows, only NULLs and one row;
-- test/trino/aggregates.test.ts runs each case on both engines.

-- scorecard: one row per (period_start, grain, dimension, dimension_value, metric) of metric_values,
-- plus one service_index row per group, each with everything a reader needs to judge it: sample
-- size flag, target and RAG, industry benchmark and position, peer rank, previous period and
-- whether the change is significant. Its columns are ScorecardRow (lambdas/core/metrics/scorecard.ts).
--
-- Decisions:
-- * It reads the materialised metric_values (every family's metric rows, written by a refresh), not
--   the metric views: Trino inlines views, and the scorecard over the inlined chain plans over 300
--   stages, more than Trino accepts.
-- * Metrics not in metric_catalogue are dropped; unit and direction come from the catalogue.
-- * low_sample: n below metric_options.min_sample. The row is kept and flagged, not hidden.
-- * Target: the target whose scope is '<dimension>:<value>' (e.g. 'team:billing'), else the
--   'overall' target. RAG is direction-aware: green when the goal is met, amber when within
--   amber_band x |goal| on the wrong side, red beyond. gap_to_target = value - goal.
-- * Benchmarks hold one row per metric (chosen from the config by lambdas/core/reference), with
--   p25..p90 as performance percentiles in the good direction (p90 is the best). The position needs
--   all four figures; it is taken in the good direction (for lower-is-better metrics, a value at or
--   below p90 is 'above_p90').
-- * peer_percentile: the mid-rank percentile of the value among its peers, the rows of the same
--   period, grain, dimension and metric (agent among agents, team among teams):
--   100 x (peers below + 0.5 x peers equal) / peers, "below" in the good direction, the row itself
--   counted among the equal. Tied peers share the middle of their ranks, so a group that is all
--   tied reads 50, not 0. Only peers with enough data are ranked: a low-sample row, a row without
--   a value and the overall row get NULL and are not counted in the peers; with fewer than two
--   ranked peers there is no one to compare with and every row gets NULL.
-- * Ties and thresholds (peer rank, RAG, benchmark position) are judged on values rounded to 9
--   decimals: engines sum the same numbers in different orders and may differ in the last bit
--   (80.47619047619048 and 80.47619047619047), which must not break a tie on one engine only.
-- * Previous period: the immediately preceding ISO week, month, quarter or year of the same group,
--   and for a custom range the range of report_ranges that ends the day before it starts (the
--   equal-length range a report asks for beside it); no row when that period has no value.
--   delta = value - prev_value.
-- * Frames, so that a query for one period reads only that period and the one before it: every
--   row of metric_values enters twice, in the frame of its own period and in the frame of the
--   next one (7 days, a month, 3 months or a year on; a range's next frame starts the day after
--   its last day, read from report_ranges in a branch of its own, so the materialised grains'
--   frames stay expressions of partition columns), and everything is computed within a frame (frame_start is
--   in every GROUP BY and window partition). A frame holds its period and the period before,
--   which is all a row needs: its peers, its group's service index, its previous value. The rows
--   kept are each frame's own period, and the view's period_start is frame_start, so a predicate
--   on period_start reaches both reads of metric_values, as period_start = p on the first and as
--   "the next period of period_start = p" on the second; both are on partition columns of
--   metric_values, so Trino and Athena read the partitions of two periods, not the history.
--   A lag() over the history would see the previous row too, but its window, not partitioned by
--   period, stops the predicate: every query then read every period.
-- * change_significant, at 95% (|z| > 1.96), is only claimed where the normal approximation holds;
--   change_test says which case applies, so a report can print it:
--   - NULL: no previous value to compare with.
--   - 'not_tested': a metric without a test (percentiles, counts and the service index carry no
--     interval); change_significant NULL.
--   - 'no_change': the two values are equal (at 9 decimals): no test finds a difference; false.
--   - 'too_few_to_test': proportions where an expected count of the 2 x 2 table (successes and
--     failures of each period under the pooled rate) is below 5, and other metrics where either
--     period has fewer than 30 observations; change_significant NULL, never a guess. An exact test
--     (Fisher's) would need an enumeration of tables per row, which this view does not attempt.
--   - 'z_test': proportions use the pooled two-proportion z-test on the counts recovered from
--     value and n (rounded to whole successes); other metrics use a z-test on the difference with
--     standard errors recovered from the two 95% intervals (the wider half-width / 1.96, robust to
--     an interval clipped at a bound): this covers means and NPS-style margins of error. When both
--     intervals have zero width, the values differ with no spread at all: significant.
-- * service_index: the weighted mean of the 0-100 scores of the metrics in composite_weights
--   that are not low_sample in the group. Score of a metric with a natural scale
--   (metric_catalogue.scale_min..scale_max, e.g. 0-100 for percentages, -100..100 for NPS):
--   its position on that scale, reversed when lower is better. Score of a metric without one
--   (durations): 100 x min(1, value / reference) when higher is better, 100 x min(1, reference /
--   value) when lower is better, where the reference is the target, else the benchmark median;
--   without a reference it is not scored. n = number of metrics in the index; the index is
--   low_sample when they carry less than half of the configured weight.
WITH
options AS (
  SELECT max(CASE WHEN name = 'min_sample' THEN value END) AS min_sample
  FROM metric_options
),

-- Fixed statistical rules, not options: where a z-test is trusted, and the 95% critical value.
test_rules AS (
  SELECT
    5e0 AS min_expected_count,
    30 AS min_n_mean_test,
    1.959963984540054e0 AS z95
),

framed_values AS (
  SELECT
    v.period_start AS frame_start,
    v.period_start, v.grain, v.dimension, v.dimension_value, v.metric, v.value, v.n, v.ci_low, v.ci_high
  FROM metric_values AS v
  UNION ALL
  SELECT
    CASE v.grain
      WHEN 'month' THEN CAST(v.period_start + INTERVAL '1' MONTH AS DATE)
      WHEN 'quarter' THEN CAST(v.period_start + INTERVAL '3' MONTH AS DATE)
      WHEN 'year' THEN CAST(v.period_start + INTERVAL '1' YEAR AS DATE)
      ELSE CAST(v.period_start + INTERVAL '7' DAY AS DATE)
    END AS frame_start,
    v.period_start, v.grain, v.dimension, v.dimension_value, v.metric, v.value, v.n, v.ci_low, v.ci_high
  FROM metric_values AS v
  WHERE v.grain <> 'range'
  UNION ALL
  SELECT
    CAST(r.period_end + INTERVAL '1' DAY AS DATE) AS frame_start,
    v.period_start, v.grain, v.dimension, v.dimension_value, v.metric, v.value, v.n, v.ci_low, v.ci_high
  FROM metric_values AS v
  INNER JOIN report_ranges AS r ON r.period_start = v.period_start
  WHERE v.grain = 'range'
),

metric_rows AS (
  SELECT
    l.frame_start,
    l.period_start,
    l.grain,
    l.dimension,
    l.dimension_value,
    l.metric,
    l.value,
    c.unit,
    l.n,
    l.ci_low,
    l.ci_high,
    l.n < o.min_sample AS low_sample,
    c.higher_is_better,
    c.is_proportion,
    c.scale_min,
    c.scale_max
  FROM framed_values AS l
  INNER JOIN metric_catalogue AS c ON c.metric = l.metric
  CROSS JOIN options AS o
  WHERE l.metric <> 'service_index'
),

targeted AS (
  SELECT
    r.*,
    COALESCE(scoped.goal, overall.goal) AS target,
    COALESCE(scoped.amber_band, overall.amber_band) AS amber_band,
    b.p25 AS bench_p25,
    b.median AS bench_median,
    b.p75 AS bench_p75,
    b.p90 AS bench_p90,
    b.source_name AS bench_source
  FROM metric_rows AS r
  LEFT JOIN targets AS scoped ON scoped.metric = r.metric AND scoped.scope = concat(r.dimension, ':', r.dimension_value)
  LEFT JOIN targets AS overall ON overall.metric = r.metric AND overall.scope = 'overall'
  LEFT JOIN benchmarks AS b ON b.metric = r.metric
),

scored AS (
  SELECT
    t.*,
    CASE
      WHEN t.value IS NULL THEN NULL
      WHEN t.scale_min IS NOT NULL AND t.scale_max > t.scale_min THEN least(100e0, greatest(0e0,
        100 * (CASE WHEN t.higher_is_better THEN t.value - t.scale_min ELSE t.scale_max - t.value END)
          / (t.scale_max - t.scale_min)))
      WHEN COALESCE(t.target, t.bench_median) > 0 AND t.higher_is_better
        THEN least(100e0, 100 * t.value / COALESCE(t.target, t.bench_median))
      WHEN COALESCE(t.target, t.bench_median) > 0 AND t.value <= 0 THEN 100e0
      WHEN COALESCE(t.target, t.bench_median) > 0 THEN least(100e0, 100 * COALESCE(t.target, t.bench_median) / t.value)
    END AS index_score
  FROM targeted AS t
),

total_weight AS (
  SELECT sum(weight) AS total FROM composite_weights WHERE weight > 0
),

index_groups AS (
  SELECT
    s.frame_start,
    s.period_start,
    s.grain,
    s.dimension,
    s.dimension_value,
    sum(w.weight * s.index_score) / sum(w.weight) AS value,
    count(*) AS n,
    sum(w.weight) < 0.5e0 * max(tw.total) AS low_sample
  FROM scored AS s
  INNER JOIN composite_weights AS w ON w.metric = s.metric AND w.weight > 0
  CROSS JOIN total_weight AS tw
  WHERE NOT s.low_sample AND s.index_score IS NOT NULL
  GROUP BY s.frame_start, s.period_start, s.grain, s.dimension, s.dimension_value
),

index_rows AS (
  SELECT
    g.frame_start,
    g.period_start,
    g.grain,
    g.dimension,
    g.dimension_value,
    'service_index' AS metric,
    g.value,
    c.unit,
    g.n,
    CAST(NULL AS DOUBLE) AS ci_low,
    CAST(NULL AS DOUBLE) AS ci_high,
    g.low_sample,
    c.higher_is_better,
    c.is_proportion,
    COALESCE(scoped.goal, overall.goal) AS target,
    COALESCE(scoped.amber_band, overall.amber_band) AS amber_band,
    b.p25 AS bench_p25,
    b.median AS bench_median,
    b.p75 AS bench_p75,
    b.p90 AS bench_p90,
    b.source_name AS bench_source
  FROM index_groups AS g
  INNER JOIN metric_catalogue AS c ON c.metric = 'service_index'
  LEFT JOIN targets AS scoped
    ON scoped.metric = 'service_index' AND scoped.scope = concat(g.dimension, ':', g.dimension_value)
  LEFT JOIN targets AS overall ON overall.metric = 'service_index' AND overall.scope = 'overall'
  LEFT JOIN benchmarks AS b ON b.metric = 'service_index'
),

all_rows AS (
  SELECT
    frame_start, period_start, grain, dimension, dimension_value, metric, value, unit, n, ci_low, ci_high, low_sample,
    higher_is_better, is_proportion, target, amber_band, bench_p25, bench_median, bench_p75, bench_p90, bench_source
  FROM scored
  UNION ALL
  SELECT
    frame_start, period_start, grain, dimension, dimension_value, metric, value, unit, n, ci_low, ci_high, low_sample,
    higher_is_better, is_proportion, target, amber_band, bench_p25, bench_median, bench_p75, bench_p90, bench_source
  FROM index_rows
),

oriented AS (
  SELECT
    a.*,
    CASE WHEN a.higher_is_better THEN 1e0 ELSE -1e0 END AS good_sign,
    a.dimension <> 'overall' AND a.value IS NOT NULL AND NOT a.low_sample AS ranked,
    round(CASE WHEN a.higher_is_better THEN a.value ELSE -a.value END, 9) AS rank_key
  FROM all_rows AS a
),

compared AS (
  SELECT
    o.*,
    count(*) OVER (PARTITION BY o.frame_start, o.period_start, o.grain, o.dimension, o.metric, o.ranked) AS peers,
    rank() OVER (
      PARTITION BY o.frame_start, o.period_start, o.grain, o.dimension, o.metric, o.ranked
      ORDER BY o.rank_key
    ) - 1 AS peers_below,
    count(*) OVER (
      PARTITION BY o.frame_start, o.period_start, o.grain, o.dimension, o.metric, o.ranked, o.rank_key
    ) AS peers_equal,
    max(CASE WHEN o.period_start < o.frame_start THEN o.value END)
      OVER (PARTITION BY o.frame_start, o.grain, o.dimension, o.dimension_value, o.metric) AS prev_value,
    max(CASE WHEN o.period_start < o.frame_start THEN o.n END)
      OVER (PARTITION BY o.frame_start, o.grain, o.dimension, o.dimension_value, o.metric) AS prev_n,
    max(CASE WHEN o.period_start < o.frame_start THEN o.ci_low END)
      OVER (PARTITION BY o.frame_start, o.grain, o.dimension, o.dimension_value, o.metric) AS prev_ci_low,
    max(CASE WHEN o.period_start < o.frame_start THEN o.ci_high END)
      OVER (PARTITION BY o.frame_start, o.grain, o.dimension, o.dimension_value, o.metric) AS prev_ci_high
  FROM oriented AS o
),

own_period AS (
  SELECT c.* FROM compared AS c WHERE c.period_start = c.frame_start
),

counted AS (
  SELECT
    p.*,
    CASE WHEN p.is_proportion THEN round(p.value / 100 * p.n) END AS successes,
    CASE WHEN p.is_proportion THEN round(p.prev_value / 100 * p.prev_n) END AS prev_successes,
    CASE
      WHEN NOT p.is_proportion
        THEN sqrt(
          power(greatest(p.value - p.ci_low, p.ci_high - p.value) / r.z95, 2)
          + power(greatest(p.prev_value - p.prev_ci_low, p.prev_ci_high - p.prev_value) / r.z95, 2)
        )
    END AS se_difference
  FROM own_period AS p
  CROSS JOIN test_rules AS r
),

tested AS (
  SELECT
    c.*,
    CASE
      WHEN c.value IS NULL OR c.prev_value IS NULL THEN NULL
      WHEN NOT c.is_proportion AND c.se_difference IS NULL THEN 'not_tested'
      WHEN round(c.value, 9) = round(c.prev_value, 9) THEN 'no_change'
      WHEN c.is_proportion AND round(
        least(c.n, c.prev_n)
          * least(c.successes + c.prev_successes, c.n + c.prev_n - c.successes - c.prev_successes)
          / (c.n + c.prev_n), 9) < r.min_expected_count THEN 'too_few_to_test'
      WHEN NOT c.is_proportion AND least(c.n, c.prev_n) < r.min_n_mean_test THEN 'too_few_to_test'
      ELSE 'z_test'
    END AS change_test,
    CASE
      WHEN c.is_proportion AND c.n > 0 AND c.prev_n > 0
        THEN (c.successes + c.prev_successes) / (c.n + c.prev_n)
    END AS pooled_p,
    r.z95
  FROM counted AS c
  CROSS JOIN test_rules AS r
)

SELECT
  frame_start AS period_start,
  grain,
  dimension,
  dimension_value,
  metric,
  value,
  unit,
  n,
  ci_low,
  ci_high,
  low_sample,
  higher_is_better,
  target,
  CASE
    WHEN value IS NULL OR target IS NULL THEN NULL
    WHEN round(good_sign * (value - target), 9) >= 0 THEN 'green'
    WHEN round(good_sign * (value - target) + abs(target) * amber_band, 9) >= 0 THEN 'amber'
    ELSE 'red'
  END AS rag,
  value - target AS gap_to_target,
  bench_p25,
  bench_median,
  bench_p75,
  bench_p90,
  CASE
    WHEN value IS NULL OR bench_p25 IS NULL OR bench_median IS NULL OR bench_p75 IS NULL OR bench_p90 IS NULL
      THEN NULL
    WHEN round(good_sign * (value - bench_p90), 9) >= 0 THEN 'above_p90'
    WHEN round(good_sign * (value - bench_p75), 9) >= 0 THEN 'p75_to_p90'
    WHEN round(good_sign * (value - bench_median), 9) >= 0 THEN 'median_to_p75'
    WHEN round(good_sign * (value - bench_p25), 9) >= 0 THEN 'p25_to_median'
    ELSE 'below_p25'
  END AS bench_position,
  bench_source,
  CASE
    WHEN ranked AND peers >= 2 THEN 100 * (peers_below + 0.5e0 * peers_equal) / peers
  END AS peer_percentile,
  prev_value,
  value - prev_value AS delta,
  CASE change_test
    WHEN 'no_change' THEN false
    WHEN 'z_test' THEN CASE
      WHEN is_proportion THEN round(
        abs(successes / n - prev_successes / prev_n)
          / sqrt(pooled_p * (1 - pooled_p) * (1e0 / n + 1e0 / prev_n)), 9) > z95
      WHEN se_difference = 0 THEN true
      ELSE round(abs(value - prev_value) / se_difference, 9) > z95
    END
  END AS change_significant,
  change_test
FROM tested

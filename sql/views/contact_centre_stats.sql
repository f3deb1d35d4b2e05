-- contact_centre_stats: one row per (period_start, grain, dimension, dimension_value) with the
-- counts and components behind the contact-centre metrics, for analysts and for
-- metrics_contact_centre. Contacts are dated by created_at, local (see interaction_slices); a
-- contact in a custom range by its resolution only is not counted here.
--
-- Decisions (per-contact definitions are in interaction_facts):
-- * offered = queued contacts. abandonment_rate = (abandoned - short abandons) / (offered - short
--   abandons) x 100; abandonment_rate_unadjusted = abandoned / offered x 100. Callbacks are never
--   abandoned but stay in offered.
-- * service_level_pct = answered with wait <= metric_options.service_level_s / (answered with a
--   known wait + abandoned with a wait above the threshold or unknown) x 100. Answered contacts
--   whose wait is unknown cannot be judged and are left out of both sides; short abandons are left
--   out as in the abandonment rate, even when short_abandon_s exceeds the threshold.
-- * asa_s = mean wait of answered queued contacts with a known wait.
-- * aht_s = sum of (talk + hold + after-contact work) / handled contacts with a known talk time;
--   its components are reported as means over the same contacts, so they add up to aht_s.
-- * avg_hold_s = total hold / contacts that were put on hold.
-- * transfer_rate = transferred / handled contacts whose source records transfers (is_transfer
--   not null): a source that never records them has no rate, not 0%, and does not dilute the
--   rate of a group it shares with one that does.
-- * Ratios are DOUBLE and NULL when their denominator is 0; sd_* are sample standard deviations
--   (NULL below two observations) for the confidence intervals of the means.
WITH
options AS (
  SELECT max(CASE WHEN name = 'service_level_s' THEN value END) AS service_level_s
  FROM metric_options
),

grouped AS (
  SELECT
    s.created_period AS period_start,
    s.grain,
    s.dimension,
    s.dimension_value,
    count(*) AS contacts,
    count_if(s.is_queued) AS offered,
    count_if(s.is_queued AND s.is_answered) AS answered,
    count_if(s.is_handled) AS handled,
    count_if(s.is_abandon) AS abandoned,
    count_if(s.is_short_abandon) AS short_abandons,
    count_if(s.is_abandon AND s.wait_s IS NULL) AS abandons_unknown_wait,
    count_if(s.is_queued AND s.is_callback) AS callbacks,
    count_if(s.is_queued AND s.is_answered AND s.wait_s IS NOT NULL) AS answered_with_wait,
    avg(CASE WHEN s.is_queued AND s.is_answered THEN s.wait_s END) AS asa_s,
    stddev_samp(CASE WHEN s.is_queued AND s.is_answered THEN s.wait_s END) AS sd_wait_s,
    count_if(s.is_queued AND s.is_answered AND s.wait_s <= o.service_level_s) AS answered_within_threshold,
    count_if(
      s.is_abandon AND NOT s.is_short_abandon AND (s.wait_s IS NULL OR s.wait_s > o.service_level_s)
    ) AS abandoned_after_threshold,
    max(o.service_level_s) AS service_level_threshold_s,
    count(s.handle_s) AS handled_timed,
    avg(s.handle_s) AS aht_s,
    stddev_samp(s.handle_s) AS sd_handle_s,
    avg(s.talk_s) AS aht_talk_s,
    avg(s.handle_hold_s) AS aht_hold_s,
    avg(s.handle_acw_s) AS aht_acw_s,
    count(s.held_s) AS held,
    avg(s.held_s) AS avg_hold_s,
    stddev_samp(s.held_s) AS sd_hold_s,
    count_if(s.is_handled AND s.is_transfer IS NOT NULL) AS transfer_known,
    count_if(s.is_handled AND s.is_transfer) AS transferred
  FROM interaction_slices AS s
  CROSS JOIN options AS o
  WHERE s.created_period IS NOT NULL
  GROUP BY s.created_period, s.grain, s.dimension, s.dimension_value
)

SELECT
  period_start,
  grain,
  dimension,
  dimension_value,
  contacts,
  offered,
  answered,
  handled,
  abandoned,
  short_abandons,
  abandons_unknown_wait,
  callbacks,
  CASE WHEN offered > 0 THEN 100e0 * abandoned / offered END AS abandonment_rate_unadjusted,
  offered - short_abandons AS abandonment_base,
  abandoned - short_abandons AS abandoned_counted,
  CASE
    WHEN offered - short_abandons > 0 THEN 100e0 * (abandoned - short_abandons) / (offered - short_abandons)
  END AS abandonment_rate,
  answered_with_wait,
  asa_s,
  sd_wait_s,
  service_level_threshold_s,
  answered_within_threshold,
  answered_with_wait + abandoned_after_threshold AS service_level_base,
  CASE
    WHEN answered_with_wait + abandoned_after_threshold > 0
      THEN 100e0 * answered_within_threshold / (answered_with_wait + abandoned_after_threshold)
  END AS service_level_pct,
  handled_timed,
  aht_s,
  sd_handle_s,
  aht_talk_s,
  aht_hold_s,
  aht_acw_s,
  held,
  avg_hold_s,
  sd_hold_s,
  transfer_known,
  transferred,
  CASE WHEN transfer_known > 0 THEN 100e0 * transferred / transfer_known END AS transfer_rate
FROM grouped

"""A small warehouse written by hand in SQL: every mart the reports read, with the columns dbt gives
them (types as in dbt_project/models/marts/_marts*.yml), a few raw tables and raw.source_status.

40 weeks from 2025-01-01: no regime for 13 weeks (no filing known yet), then 12 weeks ample, 5
tightening and 10 crowding_out, the last of which is the latest week (score 71.5); the held regime
follows each raw call two weeks later (8 weeks of crowding_out at the latest week). Three
hyperscalers over four quarters; a chain over four quarters, six securities and four holders.
The five newer marts (what-ifs, alerts, chain bands, 13F units and their exceptions) carry the
columns the report page reads: two what-if paths from week 13 (the baseline, 10 crowding-out
weeks, and one buying path, 4), three alerts, the bands of the chain's four quarters (one breaking
by amplification), and a second quarter whose 13F filings include one corrected and one flagged.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

WEEKS = 40
FIRST_WEEK = "2025-01-01"
LATEST_WEEK = "2025-10-01"  # FIRST_WEEK + 39 weeks
LATEST_SCORE = 71.5
WEEKS_IN_LATEST_REGIME = 10
MARTS = ("fct_13f_unit_exceptions", "fct_13f_unit_reconciliation", "fct_absorption_alerts", "fct_capex_absorption",
         "fct_chain_asset_vulnerability", "fct_chain_bands", "fct_chain_holder_systemicness", "fct_divergence",
         "fct_divergence_by_regime", "fct_forced_selling_chain", "fct_hyperscaler_funding", "fct_liquidity_bathtub",
         "fct_liquidity_daily", "fct_liquidity_nowcast_errors", "fct_policy_whatif", "fct_reserve_floor_estimates",
         "fct_13f_mapping_coverage", "fct_13f_value_by_asset_group", "fct_stress_composite_leadlag",
         "fct_stress_episodes")
WHATIF_PATH = "buy_50_from_2025"
WHATIF_CROWDING_OUT_WEEKS = {"baseline": 10, WHATIF_PATH: 4}

INTERMEDIATE = ("int_stress__composites_weekly",)  # the readings the stress plot draws

SQL = f"""
create schema marts;
create schema raw;
create schema intermediate;

create table marts.fct_liquidity_bathtub as
with w as (select i, date '{FIRST_WEEK}' + cast(7 * i as integer) as week_ending from range({WEEKS}) t(i))
select week_ending,
       cast(7000 - 5 * i as decimal(18,6)) as fed_total_assets_bn,
       cast(750 + 3 * i as decimal(18,6)) as tga_bn,
       cast(greatest(5, 400 - 12 * i) as decimal(18,6)) as on_rrp_bn,
       cast(3300 - 4 * i as decimal(18,6)) as reserves_bn,
       cast(7000 - 5 * i - (750 + 3 * i) - greatest(5, 400 - 12 * i) as decimal(18,6)) as net_liquidity_bn,
       cast(3000 as decimal(18,6)) as reserve_floor_bn,
       cast(greatest(0, 300 - 4 * i) as decimal(18,6)) as excess_reserves_bn,
       cast(greatest(5, 400 - 12 * i) + greatest(0, 300 - 4 * i) as decimal(18,6)) as idle_pool_bn,
       cast(greatest(5, 400 - 12 * i) + greatest(0, 550 - 4 * i) as decimal(18,6)) as idle_pool_if_floor_lower_bn,
       cast(greatest(5, 400 - 12 * i) + greatest(0, 50 - 4 * i) as decimal(18,6)) as idle_pool_if_floor_higher_bn,
       cast(case when i >= 13 then -65 + 12 * 13 - 39 end as decimal(18,6)) as net_liquidity_change_13w_bn,
       cast(case when i >= 13 then -65 end as decimal(18,6)) as tap_13w_bn,
       cast(case when i >= 13 then -39 end as decimal(18,6)) as treasury_drain_13w_bn,
       cast(case when i >= 13 then 12 * 13 end as decimal(18,6)) as rrp_release_13w_bn,
       true as is_synthetic,
       cast(case when i >= 13 then 150 + 5 * i end as decimal(18,6)) as private_treasury_supply_13w_bn,
       cast(case when i >= 13 then 40 + i end as decimal(18,6)) as hyperscaler_funding_13w_bn,
       cast(case when i >= 13 then 190 + 6 * i end as decimal(18,6)) as demand_for_funds_13w_bn,
       cast(greatest(5, 400 - 12 * i) + greatest(0, 100 - 4 * i) as decimal(18,6)) as idle_pool_estimated_floor_bn
from w;

-- the last 13 weeks' business days: Wednesdays from the bathtub's H.4.1, other days nowcast
create table marts.fct_liquidity_daily as
with d as (select i, date '{FIRST_WEEK}' + cast(i as integer) as business_date
           from range(7 * ({WEEKS} - 13), 7 * {WEEKS} - 6) t(i)
           where dayofweek(date '{FIRST_WEEK}' + cast(i as integer)) between 1 and 5)
select business_date, dayofweek(business_date) <> 3 as is_nowcast,
       cast(7000 - 5 * i / 7.0 - (750 + 3 * i / 7.0) - greatest(5, 400 - 12 * i / 7.0) + 10 * sin(i) as decimal(18,6))
           as net_liquidity_bn,
       cast(7000 - 5 * i / 7.0 as decimal(18,6)) as fed_total_assets_bn,
       cast(3300 - 4 * i / 7.0 as decimal(18,6)) as reserves_bn,
       cast(750 + 3 * i / 7.0 as decimal(18,6)) as tga_bn,
       cast(greatest(5, 400 - 12 * i / 7.0) as decimal(18,6)) as on_rrp_bn,
       cast(greatest(5, 400 - 12 * i / 7.0) + greatest(0, 300 - 4 * i / 7.0) as decimal(18,6)) as idle_pool_bn,
       true as is_synthetic
from d;

create table marts.fct_liquidity_nowcast_errors as
select * from (values
    ('same_day', '2025', 27, 6.1, 18.0, -0.4, true, 20.5, 61.0, 1.2, true),
    ('same_day', 'all', 27, 6.1, 18.0, -0.4, true, 20.5, 61.0, 1.2, true),
    ('business_day_before', 'all', 27, 11.9, 44.0, 0.8, false, 22.0, 70.0, 1.0, true))
    as t(horizon, period, weeks_scored, net_liquidity_abs_error_median_bn, net_liquidity_abs_error_p90_bn,
         net_liquidity_error_mean_bn, net_liquidity_meets_target, reserves_abs_error_median_bn,
         reserves_abs_error_p90_bn, reserves_error_mean_bn, is_synthetic);

-- spread flat above a 3,150 bn kink and rising 6 bp per 100 bn below it; fitted from week 20
create table marts.fct_reserve_floor_estimates as
with w as (select i, date '{FIRST_WEEK}' + cast(7 * i as integer) as week_ending from range({WEEKS}) t(i))
select week_ending, cast(3300 - 4 * i as decimal(18,6)) as reserves_bn,
       -5 + 6 * greatest(0, 3150 - (3300 - 4 * i)) / 100.0 + 0.5 * sin(i) as sofr_iorb_spread_bp,
       case when i >= 20 then 3150.0 end as reserve_floor_estimate_bn,
       case when i >= 20 then 6.0 end as spread_slope_bp_per_100bn,
       case when i >= 20 then -5.0 end as spread_above_floor_bp,
       case when i >= 20 then 0.9 end as fit_r_squared,
       case when i >= 20 then i + 1 end as weeks_in_window,
       case when i >= 20 then date '{FIRST_WEEK}' end as window_start,
       true as is_synthetic
from w;

create table marts.fct_13f_mapping_coverage as
select cast(last_day(date '2025-03-01' + to_months(cast(3 * q as integer))) as date) as quarter_end,
       700 + q as securities, 680 + q as securities_mapped, cast(2900 + q as decimal(18,6)) as value_bn,
       cast(2860 + q as decimal(18,6)) as mapped_value_bn, cast(40 as decimal(18,6)) as unmapped_value_bn,
       (2860.0 + q) / (2900 + q) as mapped_value_share, cast(q = 2 as integer) as orphan_new_holdings_amendments,
       cast(case when q = 2 then 1.5 else 0 end as decimal(18,6)) as orphan_new_holdings_value_bn, true as is_synthetic
from range(4) t(q);

create table marts.fct_13f_value_by_asset_group as
select cast(last_day(date '2025-03-01' + to_months(cast(3 * q as integer))) as date) as quarter_end, asset_group,
       10 as securities, cast(share * 2900 as decimal(18,6)) as value_bn, share as value_share, true as is_synthetic
from range(4) t(q), (values ('crypto_proxy', 0.09), ('software', 0.07), ('memory', 0.06), ('etf', 0.12),
                            ('other', 0.645), ('unmapped', 0.015)) g(asset_group, share);

-- two composites by the week they are known in: NFCI follows the hand-made score 3 weeks later
create table intermediate.int_stress__composites_weekly as
with w as (select i, date '{FIRST_WEEK}' + cast(7 * i as integer) as week_ending from range({WEEKS}) t(i))
select series_id, week_ending, cast(value_index as decimal(18,6)) as value_index, true as is_synthetic
from w, (values ('NFCI'), ('STLFSI4')) s(series_id),
     lateral (select case when series_id = 'NFCI' then -0.5 + 0.03 * greatest(0, i - 3) else 0.2 * sin(i) end
              as value_index);

create table marts.fct_stress_composite_leadlag as
select series_id, case when series_id = 'NFCI' then 'Chicago Fed NFCI' else 'St. Louis Fed STLFSI4' end
           as composite_name,
       lag_weeks, 37 - abs(lag_weeks) as overlapping_weeks,
       case when series_id = 'NFCI' then 0.9 - 0.05 * abs(lag_weeks - 3) else 0.1 end as correlation,
       (series_id = 'NFCI' and lag_weeks = 3) or (series_id = 'STLFSI4' and lag_weeks = 0) as is_strongest,
       cast(null as varchar) as null_reason, true as is_synthetic
from (values ('NFCI'), ('STLFSI4')) s(series_id), range(-26, 27) t(lag_weeks);

create table marts.fct_stress_episodes as
select e.episode_id, e.episode_name, e.starts_on, e.starts_on + 30 as ends_on, s.series_id, s.series_id as series_name,
       5 as weeks_read, 0.1 as reading_before, 1.0 + e.k as reading_peak, e.starts_on + 7 as peak_period_end,
       0.9 + e.k as reading_change,
       case when s.series_id = 'STLFSI4' and e.k = 0 then null else 60.0 + 10 * e.k end as peak_pctile,
       case when s.series_id = 'STLFSI4' and e.k = 0 then 'no reading in the episode' end as null_reason,
       5 as absorption_weeks, e.k as crowding_out_weeks, 'ample' as regime_held_most_weeks, true as is_synthetic
from (values ('repo_2019', 'Sep 2019 repo spike', date '2019-09-16', 0),
             ('drain_2025', 'The 2025 drain', date '2025-06-01', 3)) e(episode_id, episode_name, starts_on, k),
     (values ('NFCI'), ('STLFSI4'), ('absorption_score')) s(series_id);

create table marts.fct_capex_absorption as
with w as (select i, date '{FIRST_WEEK}' + cast(7 * i as integer) as week_ending from range({WEEKS}) t(i))
select week_ending,
       cast(case when i >= 13 then 40 + i end as decimal(18,6)) as hyperscaler_funding_13w_bn,
       cast(case when i >= 13 then 150 + 5 * i end as decimal(18,6)) as private_treasury_supply_13w_bn,
       cast(case when i >= 13 then 700 - 16 * (i - 13) end as decimal(18,6)) as idle_pool_13w_ago_bn,
       case when i >= 13 then (40.0 + i) / greatest(700 - 16 * (i - 13), 50) end as absorption_ratio,
       cast(case when i >= 13 then 700 - 16 * (i - 13) - (190 + 6 * i) end as decimal(18,6)) as slack_bn,
       case when i < 13 then null when i < 25 then 'ample' when i < 30 then 'tightening'
            else 'crowding_out' end as regime,
       cast(case when i >= 13 then i - 26 end as double) / 8 as z_absorption_ratio,
       cast(case when i >= 13 then i - 24 end as double) / 8 as z_neg_slack,
       cast(null as double) as z_ig_oas_change_13w_pp, cast(null as double) as z_hy_oas_change_13w_pp,
       cast(null as double) as z_yield_10y_change_13w_pp, cast(null as double) as z_term_premium_change_13w_pp,
       cast(null as double) as z_sofr_iorb_change_13w_pp, cast(null as double) as z_auction_stress_13w,
       cast(case when i >= 13 then (i - 25) / 10.0 end as double) as confirmation_z,
       cast(case when i >= 13 then (i - 25) / 9.0 end as double) as weighted_z,
       cast(case when i = {WEEKS - 1} then {LATEST_SCORE} when i >= 13 then 20.0 + 1.5 * i end as double) as score,
       case when i < 13 then 'no hyperscaler filing known yet' end as score_null_reason,
       true as is_synthetic,
       -- held with regime_min_weeks 3: each call two weeks after the raw one
       case when i < 15 then null when i < 27 then 'ample' when i < 32 then 'tightening'
            else 'crowding_out' end as regime_held,
       cast(case when i < 15 then i + 1 when i < 27 then i - 14 when i < 32 then i - 26 else i - 31 end as integer)
           as weeks_in_regime_held,
       case when i < 13 then 'no regime: no hyperscaler filing known yet'
            when i < 30 then 'slack > 0'
            else 'slack ' || cast(700 - 16 * (i - 13) - (190 + 6 * i) as varchar) || ' bn <= 0' end as regime_reason
from w;

create table marts.fct_divergence as
with w as (select i, date '{FIRST_WEEK}' + cast(7 * i as integer) as week_ending from range(1, {WEEKS}) t(i))
select week_ending,
       cast(sin(i / 3.0) * 2 + (case when i > 29 then -1.0 else 0.4 end) as double) as speculative_return_pct,
       cast(cos(i / 4.0) * 0.8 as double) as near_cash_flow_return_pct,
       cast(sin(i / 3.0) * 2 + (case when i > 29 then -1.0 else 0.4 end) - cos(i / 4.0) * 0.8 as double) as spread_pp,
       5 as speculative_assets, 2 as near_cash_flow_assets, true as is_synthetic
from w;

create table marts.fct_divergence_by_regime as
select * from (values ('ample', 12, 0.42, -0.3, 1.1, true), ('tightening', 5, 0.05, -0.6, 0.7, true),
                      ('crowding_out', 10, -0.81, -1.9, 0.2, true))
    as t(regime, weeks, mean_forward_13w_spread_pp, min_forward_13w_spread_pp, max_forward_13w_spread_pp,
         is_synthetic);

create table marts.fct_hyperscaler_funding as
with q as (select q, ticker, n from range(4) a(q), (values ('AMZN', 0), ('GOOGL', 1), ('MSFT', 2)) b(ticker, n))
select ticker,
       cast(last_day(date '2025-03-01' + to_months(cast(3 * q as integer))) as date) as calendar_quarter_end,
       cast(20 + 5 * q + 3 * n as decimal(18,6)) as capex_bn,
       cast(25 + 2 * n as decimal(18,6)) as operating_cash_flow_bn,
       cast(2 * q + n as decimal(18,6)) as external_funding_bn,
       1 - (2.0 * q + n) / (20 + 5 * q + 3 * n) as self_funded_share,
       true as is_synthetic
from q;

create table marts.fct_forced_selling_chain as
select cast(last_day(date '2025-03-01' + to_months(cast(3 * q as integer))) as date) as quarter_end,
       5.0 as shock_pct, 3 as chain_rounds,
       cast(10 + q as decimal(18,6)) as first_round_sales_bn,
       cast((10 + q) * (1.1 + 0.1 * q) as decimal(18,6)) as total_forced_sales_bn,
       1.1 + 0.1 * q as amplification, 25.0 * (q + 1) as chain_score_pctile, q + 1 as quarters_in_history,
       true as is_synthetic
from range(4) t(q);

create table marts.fct_chain_asset_vulnerability as
select cast(last_day(date '2025-03-01' + to_months(cast(3 * q as integer))) as date) as quarter_end,
       cusip, ticker, ticker || ' Inc' as issuer_name, asset_group,
       cast(1 + q + n as decimal(18,6)) as forced_sales_bn, -0.5 * (n + 1) - 0.1 * q as chain_price_change_pct,
       true as is_synthetic
from range(4) a(q),
     (values ('000000001', 'COIN', 'crypto_proxy', 0), ('000000002', 'PLTR', 'software', 1),
             ('000000003', 'GME', 'retail_favourite', 2), ('000000004', 'MU', 'memory', 3),
             ('000000005', 'NVDA', 'ai_compute', 4), ('000000006', 'TLT', 'duration', 5)) b(cusip, ticker, asset_group, n);

create table marts.fct_chain_holder_systemicness as
select cast(last_day(date '2025-03-01' + to_months(cast(3 * q as integer))) as date) as quarter_end,
       cast(1000 + n as bigint) as cik, filer_name, holder_type, cast(50 + 10 * n as decimal(18,6)) as aum_bn,
       cast(2 + n as decimal(18,6)) as forced_sales_bn, cast(1 + n as decimal(18,6)) as losses_caused_to_others_bn,
       100.0 * (1 + n) / 10 as systemicness_share_pct, true as is_synthetic
from range(4) a(q),
     (values ('Funder One', 'funder', 0), ('Hedge Two', 'hedge_fund', 1), ('Hedge Three', 'hedge_fund', 2),
             ('Manager Four', 'asset_manager', 3)) b(filer_name, holder_type, n);

create table marts.fct_policy_whatif as
with w as (select i, date '{FIRST_WEEK}' + cast(7 * i as integer) as week_ending from range(13, {WEEKS}) t(i)),
     p as (select * from (values ('baseline', 0), ('{WHATIF_PATH}', 1)) p(path_name, buys))
select path_name, week_ending, date '2025-04-02' as starts_on,
       cast(greatest(5, 400 - 12 * i) + greatest(0, 300 - 4 * i) + buys * 50 * (i - 13) as decimal(18,6)) as idle_pool_bn,
       case when i = {WEEKS - 1} then {LATEST_SCORE} else 20.0 + 1.5 * i end - buys * 10 as score,
       case when i >= (case when buys = 0 then 30 else 36 end) then 'crowding_out'
            when i >= 25 then 'tightening' else 'ample' end as regime,
       cast(greatest(5, 400 - 12 * i) + greatest(0, 300 - 4 * i) as decimal(18,6)) as baseline_idle_pool_bn,
       case when i = {WEEKS - 1} then {LATEST_SCORE} else 20.0 + 1.5 * i end as baseline_score,
       case when i < 25 then 'ample' when i < 30 then 'tightening' else 'crowding_out' end as baseline_regime,
       true as is_synthetic
from w, p;

create table marts.fct_absorption_alerts as
select * from (values
    ('score_crossing_50:2025-06-04', date '2025-06-04', 'score_crossing', 50.0, 'below 50', 'above 50', 53.0, true),
    ('regime_change:2025-07-09', date '2025-07-09', 'regime_change', null, 'ample', 'tightening', 60.5, true),
    ('regime_change:2025-08-13', date '2025-08-13', 'regime_change', null, 'tightening', 'crowding_out', 68.0, true))
    as t(alert_id, week_ending, alert_kind, threshold, from_value, to_value, score, is_synthetic);

create table marts.fct_chain_bands as
select cast(last_day(date '2025-03-01' + to_months(cast(3 * q as integer))) as date) as quarter_end,
       200 as draws, 1.05 + 0.1 * q as amplification_p10, 1.2 + 0.1 * q as amplification_p50,
       2.1 + 0.5 * q as amplification_p90, 2.0 as stress_amplification_threshold,
       case when q = 3 then 5.0 end as breaking_shock_pct, 1.0 as stress_loss_threshold_pct,
       10.0 - 2 * q as loss_breaking_shock_pct, 50.0 as largest_shock_tried_pct, true as is_synthetic
from range(4) t(q);

create table marts.fct_13f_unit_reconciliation as
select cast(last_day(date '2025-03-01' + to_months(cast(3 * q as integer))) as date) as quarter_end,
       10 as filings, 10 as filings_with_summary, case when q = 1 then 9 else 10 end as filings_reconciled,
       case when q = 1 then 0.9 else 1.0 end as reconciled_share, case when q = 1 then 1 else 0 end as filings_unit_corrected,
       case when q = 1 then 1 else 0 end as filings_unit_unresolved, case when q = 1 then 1 else 0 end as filings_flagged,
       cast(100 + q as decimal(18,6)) as value_bn, cast(case when q = 1 then 2.5 else 0 end as decimal(18,6)) as value_corrected_bn,
       cast(case when q = 1 then 0.7 else 0 end as decimal(18,6)) as value_flagged_bn, true as is_synthetic
from range(4) t(q);

create table marts.fct_13f_unit_exceptions as
select * from (values
    (date '2025-06-30', '0000000001-25-000001', cast(1001 as bigint), date '2025-08-01', '13F-HR', 'usd', 'usd_thousands',
     'corrected', 'prices', 0.001, cast(2.5 as decimal(18,6)), true, false, true),
    (date '2025-06-30', '0000000002-25-000002', cast(1002 as bigint), date '2025-08-02', '13F-HR', 'usd', 'usd',
     'unresolved', 'summary_total', null, cast(0.7 as decimal(18,6)), false, true, true))
    as t(quarter_end, accession_number, cik, filing_date, submission_type, value_unit_by_rule, value_unit, unit_status,
         unit_evidence, price_ratio, value_bn, total_reconciles, is_flagged, is_synthetic);

create table raw.fred_observations as
select 'WALCL' as series_id, date '{FIRST_WEEK}' + cast(7 * i as integer) as observation_date,
       7000.0 - i as value, 'scenario' as source_mode, 'fred/WALCL.csv' as source_uri
from range({WEEKS}) t(i);
create table raw.coinbase_daily_candles (symbol varchar, price_date date, close double,
                                         source_mode varchar, source_uri varchar);
create table raw.source_status (table_name varchar primary key, source varchar not null, provided boolean not null,
                                detail varchar not null, rows_loaded bigint not null, recorded_at timestamp not null);
insert into raw.source_status values
    ('fred_observations', 'fred', true, '', {WEEKS}, timestamp '2025-10-02 12:00:00'),
    ('coinbase_daily_candles', 'coinbase', false, '[coinbase] not provided: RQE_SOURCES leaves it out', 0,
     timestamp '2025-10-02 12:00:00');
"""

COVERAGE_SQL = """
create table marts.fct_source_coverage as
select * from (values ('fred', 'fred_observations', true, date '2025-01-01', date '2025-10-01', 40, ''),
                      ('coinbase', 'coinbase_daily_candles', false, null, null, 0, 'not provided'))
    as t(source, table_name, provided, first_date, last_date, row_count, detail);
"""

DATE_COLUMNS = {"fred_observations": "observation_date", "coinbase_daily_candles": "price_date"}


def build(path: Path, *, coverage: bool = False) -> Path:
    """Write the hand-made warehouse at ``path`` (with ``marts.fct_source_coverage`` if asked)."""
    with duckdb.connect(str(path)) as conn:
        conn.execute(SQL)
        if coverage:
            conn.execute(COVERAGE_SQL)
        conn.execute("comment on table marts.fct_liquidity_bathtub is 'The liquidity bathtub (hand-made).'")
    return path

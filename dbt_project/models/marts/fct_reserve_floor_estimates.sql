-- The estimated reserve floor, weekly, as known each week (docs/scores.md, "The estimated reserve
-- floor"): the reserves level below which the SOFR - IORB spread starts rising as reserves fall.
-- Model, a hinge (piecewise-linear with one kink k, flat above it):
--     spread_w = a + b * max(0, k - reserves_w) + e_w,   b > 0
-- fitted each week on the weeks of the trailing var('reserve_floor_window_weeks') that end with it
-- (no later week enters). k is searched over a fixed lattice (multiples of
-- var('reserve_floor_grid_step_bn')); for each k, a and b are ordinary least squares, from the
-- window's running sums; the floor is the k of least squared error among those with b > 0 and at
-- least var('reserve_floor_min_weeks_each_side') weeks on each side of k. The floor is published
-- when that fit explains at least var('reserve_floor_min_r_squared') of the window's spread variance
-- (a hinge fits some kink to noise too); otherwise the week has no estimate and null_reason says why.
{% set window_weeks = var('reserve_floor_window_weeks') %}
{% set step = var('reserve_floor_grid_step_bn') %}
{% set min_side = var('reserve_floor_min_weeks_each_side') %}
{% set min_r2 = var('reserve_floor_min_r_squared') %}
with

weekly as (
    select week_ending, reserves_bn, sofr_iorb_spread_bp, is_synthetic
    from {{ ref('int_funding__reserves_spread_weekly') }}
    where reserves_bn is not null and sofr_iorb_spread_bp is not null
),

-- The lattice spans every reserves level seen; a candidate outside a window's own range has no
-- week on one side and is never chosen, so later data cannot move an earlier week's estimate.
kinks as (
    select unnest(generate_series(
        cast(floor(min(reserves_bn) / {{ step }}) * {{ step }} as bigint),
        cast(ceil(max(reserves_bn) / {{ step }}) * {{ step }} as bigint),
        {{ step }}
    )) as kink_bn
    from weekly
),

hinged as (
    select
        weekly.week_ending,
        kinks.kink_bn,
        greatest(0, kinks.kink_bn - weekly.reserves_bn) as x,
        weekly.sofr_iorb_spread_bp as y,
        case when weekly.reserves_bn < kinks.kink_bn then 1 else 0 end as is_below
    from weekly
    cross join kinks
),

window_sums as (
    select
        week_ending,
        kink_bn,
        count(*) over trailing_window as n,
        sum(is_below) over trailing_window as n_below,
        sum(x) over trailing_window as sx,
        sum(y) over trailing_window as sy,
        sum(x * x) over trailing_window as sxx,
        sum(y * y) over trailing_window as syy,
        sum(x * y) over trailing_window as sxy,
        min(week_ending) over trailing_window as window_start
    from hinged
    window trailing_window as (
        partition by kink_bn order by week_ending
        range between interval {{ (window_weeks - 1) * 7 }} day preceding and current row
    )
),

-- Centred moments; the OLS slope b = Cxy / Cxx and the error SSE = Cyy - Cxy^2 / Cxx.
moments as (
    select
        *,
        sxx - sx * sx / n as cxx,
        syy - sy * sy / n as cyy,
        sxy - sx * sy / n as cxy
    from window_sums
),

candidates as (
    select
        week_ending,
        kink_bn,
        n,
        n_below,
        window_start,
        cxy / cxx as slope,
        sy / n - (cxy / cxx) * sx / n as intercept,
        greatest(0, cyy - cxy * cxy / cxx) as sse,
        cxy * cxy / (cxx * cyy) as r_squared
    from moments
    where n_below >= {{ min_side }} and n - n_below >= {{ min_side }} and cxx > 0 and cxy > 0 and cyy > 0
),

best as (
    select *
    from (
        select *, row_number() over (partition by week_ending order by sse, kink_bn) as fit_rank
        from candidates
    ) as ranked
    where fit_rank = 1
),

accepted as (
    select * from best where r_squared >= {{ min_r2 }}
),

windows as (
    select
        week_ending,
        count(*) over trailing_window as n,
        min(week_ending) over trailing_window as window_start
    from weekly
    window trailing_window as (order by week_ending range between interval {{ (window_weeks - 1) * 7 }} day preceding and current row)
)

select
    weekly.week_ending,
    cast(weekly.reserves_bn as decimal(18, 6)) as reserves_bn,
    cast(weekly.sofr_iorb_spread_bp as double) as sofr_iorb_spread_bp,
    cast(accepted.kink_bn as decimal(18, 6)) as reserve_floor_estimate_bn,
    cast(accepted.slope * 100 as double) as spread_slope_bp_per_100bn,
    cast(accepted.intercept as double) as spread_above_floor_bp,
    cast(accepted.r_squared as double) as fit_r_squared,
    cast(sqrt(accepted.sse / accepted.n) as double) as fit_rmse_bp,
    cast(windows.n as integer) as weeks_in_window,
    cast(accepted.n_below as integer) as weeks_below_floor,
    windows.window_start,
    cast(case
        when accepted.kink_bn is not null then null
        when windows.n < 2 * {{ min_side }}
            then 'fewer than {{ 2 * min_side }} weeks of reserves and SOFR - IORB in the window: ' || cast(windows.n as varchar)
        when best.kink_bn is null
            then 'no kink with {{ min_side }} weeks on each side has the spread rising as reserves fall'
        else 'the best kink, ' || cast(best.kink_bn as varchar) || ' bn, explains ' || format('{:.2f}', best.r_squared)
            || ' of the spread variance, below {{ min_r2 }}'
    end as varchar) as null_reason,
    weekly.is_synthetic
from weekly
inner join windows on weekly.week_ending = windows.week_ending
left join best on weekly.week_ending = best.week_ending
left join accepted on weekly.week_ending = accepted.week_ending

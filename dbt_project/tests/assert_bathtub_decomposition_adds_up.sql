-- The three flows must add up to the 13-week change of the level, to the dollar, every week.
select week_ending, net_liquidity_change_13w_bn, tap_13w_bn, treasury_drain_13w_bn, rrp_release_13w_bn
from {{ ref('fct_liquidity_bathtub') }}
where net_liquidity_change_13w_bn is not null
  and abs(net_liquidity_change_13w_bn - (tap_13w_bn + treasury_drain_13w_bn + rrp_release_13w_bn)) > 0.000001

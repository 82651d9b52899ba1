{#- The standard normal distribution function Phi(x), portable SQL (no erf needed):
    Zelen & Severo (Abramowitz & Stegun 26.2.17), absolute error below 7.5e-8.
    Pass a column or a simple expression; null in, null out. -#}
{% macro normal_cdf(x) -%}
    (case
        when ({{ x }}) is null then null
        when ({{ x }}) >= 0 then 1 - {{ _normal_upper_tail('abs(' ~ x ~ ')') }}
        else {{ _normal_upper_tail('abs(' ~ x ~ ')') }}
    end)
{%- endmacro %}

{% macro _normal_upper_tail(z) -%}
    (0.3989422804014327 * exp(-0.5 * {{ z }} * {{ z }})
     * (1.0 / (1.0 + 0.2316419 * {{ z }}))
     * (0.319381530 + (1.0 / (1.0 + 0.2316419 * {{ z }}))
        * (-0.356563782 + (1.0 / (1.0 + 0.2316419 * {{ z }}))
        * (1.781477937 + (1.0 / (1.0 + 0.2316419 * {{ z }}))
        * (-1.821255978 + (1.0 / (1.0 + 0.2316419 * {{ z }})) * 1.330274429)))))
{%- endmacro %}

{#- An expanding-window z-score of a weekly column, winsorised at +/- var('z_winsor'), null until
    the window holds var('z_min_weeks') non-null values (the current week included). -#}
{% macro expanding_z(column, order_by='week_ending') -%}
    {%- set window = 'over (order by ' ~ order_by ~ ' rows between unbounded preceding and current row)' -%}
    {{ winsorised_z(column, 'avg(' ~ column ~ ') ' ~ window, 'stddev_samp(' ~ column ~ ') ' ~ window,
                    'count(' ~ column ~ ') ' ~ window) }}
{%- endmacro %}

{#- The z of `value` against a window's mean, standard deviation and count, by the rule above:
    null until the window holds var('z_min_weeks') values or while it has no spread, winsorised at
    +/- var('z_winsor'). expanding_z uses it on a column's own window; the policy what-ifs score a
    what-if value against the baseline's window with it. A null value has no z: DuckDB's
    greatest/least skip nulls, so without the test a missing week would read as +z_winsor. -#}
{% macro winsorised_z(value, mean, sd, n) -%}
    case
        when {{ value }} is not null and {{ n }} >= {{ var('z_min_weeks') }} and {{ sd }} > 0
        then greatest(-{{ var('z_winsor') }}, least({{ var('z_winsor') }}, ({{ value }} - {{ mean }}) / {{ sd }}))
    end
{%- endmacro %}

{#- The median of a column within a group (DuckDB's median; percentile_cont(0.5) elsewhere). -#}
{% macro median(column) -%}
    median({{ column }})
{%- endmacro %}

{#- The p-quantile (0..1) of a column within a group, interpolated (DuckDB's quantile_cont;
    percentile_cont(p) within group (order by column) elsewhere). -#}
{% macro percentile(column, p) -%}
    quantile_cont({{ column }}, {{ p }})
{%- endmacro %}

{#- The i-th term (i >= 1) of the van der Corput sequence in a base, in [0, 1): the digits of i
    mirrored after the point. Bases 2, 3, 5 together are a Halton sequence, which spreads draws of
    several parameters evenly over their ranges, deterministically. Computed when the SQL is
    compiled, so the draws are constants of the query. -#}
{% macro van_der_corput(i, base) -%}
    {%- set ns = namespace(n=i, scale=1.0, value=0.0) -%}
    {%- for _ in range(40) -%}
        {%- if ns.n > 0 -%}
            {%- set ns.scale = ns.scale / base -%}
            {%- set ns.value = ns.value + ns.scale * (ns.n % base) -%}
            {%- set ns.n = ns.n // base -%}
        {%- endif -%}
    {%- endfor -%}
    {{ ns.value }}
{%- endmacro %}

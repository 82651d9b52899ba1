"""Compare every marts table of two warehouses (or published copies), for a change that must not
move any mart: ``python -m bench.compare_marts BEFORE.duckdb AFTER.duckdb``.

Rows are sorted by every non-numeric column; numbers are equal when they differ by at most 1.5e-6
(DuckDB's parallel sums can flip the 6th decimal of a DECIMAL(18, 6) from run to run) or 1e-9
relative. Prints one line per mart and exits 1 when any differs or a table is missing on one side.
A table whose columns changed is reported as such, not compared value by value."""
import math, sys, decimal, duckdb
a_path, b_path = sys.argv[1:3]
c = duckdb.connect()
c.execute("attach ? as a (read_only)", [a_path]); c.execute("attach ? as b (read_only)", [b_path])
tabs = [r[0] for r in c.execute("select table_name from information_schema.tables where table_catalog='a' and table_schema='marts' and table_type='BASE TABLE' order by 1").fetchall()]
bad = 0
for t in tabs:
    cols = c.execute("select column_name, data_type from information_schema.columns where table_catalog='a' and table_schema='marts' and table_name=? order by ordinal_position", [t]).fetchall()
    cols_b = c.execute("select column_name, data_type from information_schema.columns where table_catalog='b' and table_schema='marts' and table_name=? order by ordinal_position", [t]).fetchall()
    if cols != cols_b:
        print(f"{t:40s} columns differ: {sorted(set(cols) ^ set(cols_b))}"); bad += 1; continue
    keys = [f'"{n}"' for n, ty in cols if not (ty in ("DOUBLE", "FLOAT") or ty.startswith("DECIMAL"))]
    order = ", ".join(keys) if keys else "all"
    ra = c.execute(f'select * from a.marts."{t}" order by {order}').fetchall()
    rb = c.execute(f'select * from b.marts."{t}" order by {order}').fetchall()
    worst = 0.0; diff_rows = 0
    if len(ra) != len(rb):
        print(f"{t}: {len(ra)} vs {len(rb)} rows"); bad += 1; continue
    for x, y in zip(ra, rb):
        for u, v in zip(x, y):
            if isinstance(u, (float, decimal.Decimal)) and isinstance(v, (float, decimal.Decimal)):
                u, v = float(u), float(v)
                if math.isnan(u) and math.isnan(v): continue
                d = abs(u - v)
                if d > 1.5e-6 and d > 1e-9 * max(abs(u), abs(v)):
                    diff_rows += 1; worst = max(worst, d)
            elif u != v:
                diff_rows += 1
    print(f"{t:40s} {len(ra):8d} rows  {'same' if not diff_rows else f'DIFFER in {diff_rows} values (worst {worst})'}")
    bad += bool(diff_rows)
sys.exit(1 if bad else 0)

"""Dagster wiring: the one Definitions, resources, dbt assets, jobs, schedules and checks."""

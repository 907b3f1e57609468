"""Thin Prefect task wrappers around careeros domain functions."""

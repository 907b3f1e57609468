"""Prefect flows of careeros (thin: one task per stage)."""

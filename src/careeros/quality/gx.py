"""Validate taxonomy tables with Great Expectations 1.x and report results in the ``dq_results`` shape.

Great Expectations is imported lazily (it takes seconds to import). Frames are validated as pandas
(GX has no Polars support); nested (list/struct) columns are turned into JSON text first.
"""

from __future__ import annotations

import json
import logging
import os
import time
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, Field

from careeros.quality.suites import SUITES, ExpectationSpec

log = logging.getLogger(__name__)

_DATASOURCE = "careeros_dq"
_BATCH_DEFINITION = "whole_frame"
#: BASIC gives unexpected counts/percentages and up to 20 sample values without full index lists.
_RESULT_FORMAT: dict[str, Any] = {"result_format": "BASIC", "partial_unexpected_count": 10}

DQ_COLUMNS = (
    "run_id",
    "source",
    "table_name",
    "expectation",
    "column_name",
    "critical",
    "success",
    "unexpected_count",
    "details_json",
    "validated_at",
)
DQ_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "source": pl.String(),
    "table_name": pl.String(),
    "expectation": pl.String(),
    "column_name": pl.String(),
    "critical": pl.Boolean(),
    "success": pl.Boolean(),
    "unexpected_count": pl.Int64(),
    "details_json": pl.String(),
    "validated_at": pl.Datetime("us", "UTC"),
}


class DQResult(BaseModel):
    """Outcome of one expectation on one table."""

    table_name: str
    expectation: str
    column_name: str | None = None
    critical: bool
    success: bool
    unexpected_count: int | None = None
    details_json: str = "{}"


class ValidationReport(BaseModel):
    """All expectation outcomes of one validation run, convertible to ``dq_results`` rows."""

    run_id: str
    source: str
    validated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    results: list[DQResult] = Field(default_factory=list)
    seconds: float = 0.0
    data_docs_index: str | None = None

    def failed_critical_tables(self) -> set[str]:
        """Tables with at least one failed critical expectation."""
        return {r.table_name for r in self.results if r.critical and not r.success}

    @property
    def ok(self) -> bool:
        """True when no critical expectation failed."""
        return not self.failed_critical_tables()

    def failures(self, critical_only: bool = False) -> list[DQResult]:
        """Failed results (optionally only critical ones)."""
        return [r for r in self.results if not r.success and (r.critical or not critical_only)]

    def to_polars(self) -> pl.DataFrame:
        """Results as a frame with exactly the ``dq_results`` warehouse columns."""
        rows = [
            {
                "run_id": self.run_id,
                "source": self.source,
                **r.model_dump(),
                "validated_at": self.validated_at,
            }
            for r in self.results
        ]
        return pl.DataFrame(rows, schema=DQ_SCHEMA, orient="row").select(DQ_COLUMNS)


def _quiet_gx() -> None:
    """Turn off GX analytics and chatty loggers (idempotent, before importing GX).

    GX passes ``disable=`` to tqdm explicitly, so ``TQDM_DISABLE`` has no effect on its bars; they are
    switched off through the context's ``progress_bars`` setting in :func:`_build_context`.
    """
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for name in ("great_expectations", "posthog"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _to_pandas(df: pl.DataFrame) -> Any:
    """Convert to pandas, turning nested columns into JSON text (GX metrics expect scalars)."""
    nested = [c for c, t in df.schema.items() if t.is_nested()]
    if nested:
        df = df.with_columns(
            pl.Series(
                c,
                [
                    None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                    for v in df[c].to_list()
                ],
                dtype=pl.String,
            )
            for c in nested
        )
    return df.to_pandas()


def _build_context(data_docs_dir: Path | None) -> Any:
    """Ephemeral context, or a file context rooted at ``data_docs_dir`` (Data Docs under ``gx/uncommitted``)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx: Any
    if data_docs_dir is None:
        ctx = gx.get_context(mode="ephemeral")
    else:
        data_docs_dir.mkdir(parents=True, exist_ok=True)
        ctx = gx.get_context(mode="file", project_root_dir=str(data_docs_dir))
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return ctx


def _gx_expectation(spec: ExpectationSpec, index: int) -> Any:
    import great_expectations.expectations as gxe

    cls = getattr(gxe, spec.expectation)
    return cls(**spec.kwargs, meta={"careeros_index": index, "critical": spec.critical})


def _details(res: Any, spec: ExpectationSpec) -> tuple[int | None, str]:
    """Unexpected count and a compact JSON detail string from one GX expectation result."""
    result = dict(res.result or {})
    count = result.get("unexpected_count")
    exc = res.exception_info or {}
    details: dict[str, Any] = {"kwargs": spec.kwargs, "result": result}
    if exc.get("raised_exception"):
        details["exception"] = str(exc.get("exception_message"))
    return (int(count) if count is not None else None), json.dumps(details, default=str, ensure_ascii=False)


def validate_tables(
    tables: dict[str, pl.DataFrame], source: str, run_id: str, data_docs_dir: Path | None = None,
    suites: Mapping[str, list[ExpectationSpec]] = SUITES,
) -> ValidationReport:
    """Validate every frame in ``tables`` that has a suite; optionally write Data Docs under ``data_docs_dir``.

    ``suites`` maps a table name to its expectations (default: the static taxonomy suites); a caller with a
    suite built at run time (the posting batch, bound to today's date) passes it here.
    """
    t0 = time.perf_counter()
    report = ValidationReport(run_id=run_id, source=source)
    todo = [(name, df) for name, df in tables.items() if name in suites]
    if not todo:
        return report

    _quiet_gx()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier

        ctx = _build_context(data_docs_dir)
        ds = ctx.data_sources.add_or_update_pandas(name=_DATASOURCE)
        gx_run = RunIdentifier(run_name=run_id, run_time=report.validated_at)
        for name, df in todo:
            specs = suites[name]
            if name in ds.get_asset_names():
                ds.delete_asset(name)
            asset = ds.add_dataframe_asset(name=name)
            batch_def = asset.add_batch_definition_whole_dataframe(_BATCH_DEFINITION)
            suite = gx.ExpectationSuite(
                name=f"{name}_suite", expectations=[_gx_expectation(s, i) for i, s in enumerate(specs)]
            )
            suite = ctx.suites.add_or_update(suite)
            vd = ctx.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=f"{name}_validation", data=batch_def, suite=suite)
            )
            t1 = time.perf_counter()
            out = vd.run(
                batch_parameters={"dataframe": _to_pandas(df)}, result_format=_RESULT_FORMAT, run_id=gx_run
            )
            log.debug("validated %s (%d rows) in %.2fs", name, df.height, time.perf_counter() - t1)
            for res in out.results:
                i = int(res.expectation_config.meta["careeros_index"])
                spec = specs[i]
                count, details = _details(res, spec)
                report.results.append(
                    DQResult(
                        table_name=name,
                        expectation=spec.expectation,
                        column_name=spec.column_name,
                        critical=spec.critical,
                        success=bool(res.success),
                        unexpected_count=count,
                        details_json=details,
                    )
                )
        if data_docs_dir is not None:
            urls = ctx.build_data_docs()
            report.data_docs_index = next(iter(urls.values()), None)
    report.seconds = round(time.perf_counter() - t0, 3)
    return report

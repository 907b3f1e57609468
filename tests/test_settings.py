"""Settings: datasets resolution and its error message."""

from __future__ import annotations

from pathlib import Path

import pytest

from careeros.settings import DatasetsNotFoundError, Settings


def test_explicit_datasets_dir_is_used(datasets: Path) -> None:
    assert Settings(datasets=datasets).resolve_datasets() == datasets.resolve()


def test_wrong_explicit_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetsNotFoundError, match="does not hold the datasets"):
        Settings(datasets=tmp_path).resolve_datasets()


def test_error_names_every_place_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings()
    monkeypatch.setattr(Settings, "datasets_candidates", lambda self: [tmp_path / "a", tmp_path / "b"])
    with pytest.raises(DatasetsNotFoundError) as err:
        s.resolve_datasets()
    assert str(tmp_path / "a") in str(err.value) and str(tmp_path / "b") in str(err.value)
    assert "CAREEROS_DATASETS" in str(err.value)


def test_paths_derive_from_home(tmp_path: Path) -> None:
    s = Settings(home=tmp_path)
    assert s.warehouse_path == tmp_path / "warehouse.duckdb"
    assert s.analytics_path == tmp_path / "analytics.duckdb"

"""Meta-tests: every prefect.yaml entrypoint imports to a flow; every CLI command has help; docs stay true."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml
from typer.main import get_command
from typer.testing import CliRunner

from careeros.cli import app

REPO = Path(__file__).resolve().parents[1]


def _deployments() -> list[dict]:
    return yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]


@pytest.mark.parametrize("dep", _deployments(), ids=lambda d: d["name"])
def test_prefect_yaml_entrypoints_are_flows(dep: dict) -> None:
    from prefect import Flow

    path, func = dep["entrypoint"].split(":")
    spec = importlib.util.spec_from_file_location(f"_ep_{func}", REPO / path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    obj = getattr(mod, func)
    assert isinstance(obj, Flow)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", obj.name), "flows get kebab-case names"
    for sched in dep.get("schedules", []):
        assert "cron" in sched or "interval" in sched


def _all_commands() -> list[list[str]]:
    root = get_command(app)
    out: list[list[str]] = [[]]

    def walk(cmd, prefix):  # type: ignore[no-untyped-def]
        for name, sub in getattr(cmd, "commands", {}).items():
            out.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(root, [])
    return out


@pytest.mark.parametrize("cmd", _all_commands(), ids=lambda c: " ".join(c) or "careeros")
def test_every_command_has_help(cmd: list[str]) -> None:
    res = CliRunner().invoke(app, [*cmd, "--help"])
    assert res.exit_code == 0, res.output
    assert "Usage" in res.output
    text = res.output.split("Usage", 1)[1]
    assert len(text.strip()) > 20


def test_env_example_lists_every_setting() -> None:
    from careeros.settings import Settings

    env = (REPO / ".env.example").read_text()
    for name in Settings.model_fields:
        assert f"CAREEROS_{name.upper()}" in env, name


def test_readme_gives_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert "O*NET 29.3 Database" in readme and "ESCO classification" in readme
    assert "Occupational Employment and Wage Statistics" in readme


def test_schedule_registry_flows_load_and_have_valid_crons() -> None:
    from prefect.client.schemas.schedules import CronSchedule

    from flows.registry import SCHEDULE, available

    loaded = available()
    assert loaded, "at least the ingest flow is served"
    assert {i.deployment for i, _ in loaded} >= {"ingest-market-signals-daily"}
    for item in SCHEDULE:
        assert item.cron is None or CronSchedule(cron=item.cron, timezone="UTC"), item
    names = [d["name"] for d in _deployments()]
    for item, _ in loaded:
        assert item.deployment in names, f"{item.deployment} missing from prefect.yaml"


def test_prefect_yaml_is_generated_from_the_registry() -> None:
    """Schedules are defined once (flows/registry.py); prefect.yaml is its rendering, every flow deployable."""
    from flows.registry import SCHEDULE, render_prefect_yaml

    assert (REPO / "prefect.yaml").read_text() == render_prefect_yaml(), \
        "prefect.yaml is stale: run `python -m flows.registry > prefect.yaml`"
    names = {d["name"]: d for d in _deployments()}
    assert {"run-agents-weekly", "ingest-taxonomies-manual", "ingest-postings-manual"} <= set(names)
    flows = {p.stem for p in (REPO / "flows").glob("*.py") if "@flow(" in p.read_text()}
    assert flows == {i.entrypoint.split("/")[1].split(".")[0] for i in SCHEDULE}, "every flow module is deployable"
    for item in SCHEDULE:
        crons = [s["cron"] for s in names[item.deployment].get("schedules", [])]
        assert crons == ([item.cron] if item.cron else []), item.deployment


def test_serve_builds_a_scheduled_deployment_per_flow() -> None:
    from careeros.ops.serving import deployments
    from flows.registry import available

    deps = deployments(False)
    assert {d.name for d in deps} == {i.deployment for i, _ in available()}
    for d in deps:
        item = next(i for i, _ in available() if i.deployment == d.name)
        assert bool(d.schedules) == bool(item.cron), d.name


@pytest.mark.slow
def test_prefect_deploy_all_from_the_repo_root(tmp_path: Path) -> None:
    """``prefect deploy --all`` (the documented command) registers every prefect.yaml deployment on a real server."""
    import os
    import subprocess
    import sys

    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    from careeros.ops.server import start_local_server

    server = start_local_server(None, tmp_path, scheduler=False)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(server.env)
        prefect = str(Path(sys.executable).with_name("prefect"))
        made = subprocess.run([prefect, "work-pool", "create", "careeros", "--type", "process"], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stdout + made.stderr
        res = subprocess.run([prefect, "--no-prompt", "deploy", "--all"], env=env, cwd=REPO, capture_output=True,
                             text=True, timeout=600)
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
        from prefect import get_client

        with temporary_settings(updates={PREFECT_API_URL: server.env["PREFECT_API_URL"],
                                         PREFECT_API_AUTH_STRING: server.auth}), \
                get_client(sync_client=True) as client:
            got = {d.name: d for d in client.read_deployments()}
        wanted = {d["name"]: d for d in _deployments()}
        assert set(got) == set(wanted)
        for name, dep in wanted.items():
            crons = sorted(s["cron"] for s in dep.get("schedules", []))
            assert sorted(s.schedule.cron for s in got[name].schedules) == crons, name  # type: ignore[union-attr]
            assert got[name].work_pool_name == "careeros"
            assert got[name].entrypoint == dep["entrypoint"]
    finally:
        server.stop()

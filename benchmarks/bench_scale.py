"""Scale benchmark: N synthetic postings (recombined from the real ones) through the pure postings pipeline.

    .venv/bin/python benchmarks/bench_scale.py [--n 1000000] [--out benchmarks/results/scale.json]

The feed is a generic JSONL feed (docs/postings-feed.md) streamed to a temp dir, never held in memory: titles
from LinkedIn/USAJOBS/HN role lines, companies from HN headers and USAJOBS agencies, locations from LinkedIn
and USAJOBS, salary ranges (and periods) from LinkedIn ``salaries.csv`` and USAJOBS, descriptions recombined
from HN sentences, ``posted_at`` spread over the 52 weeks before today. The feed is then ingested end to end
with :func:`careeros.market.pipeline.run_postings` (``GenericFeedSource``) into a warehouse that already has
the taxonomies: ``CAREEROS_HOME``'s when it has a built warehouse (copied, never changed), else one built in
the temp dir. Reports wall time per phase, rows/s, peak RSS (``getrusage`` and a ``/proc/self/status``
VmRSS sampling thread) and writes the JSON result.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"


class RssSampler(threading.Thread):
    """Samples VmRSS of this process every ``interval`` seconds; keeps the peak and a coarse timeline."""

    def __init__(self, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.interval, self.peak_kb, self.timeline = interval, 0, []
        self._halt = threading.Event()
        self._t0 = time.perf_counter()
        self.phase = "start"

    @staticmethod
    def rss_kb() -> int:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self) -> None:
        last = -10.0
        while not self._halt.is_set():
            kb = self.rss_kb()
            self.peak_kb = max(self.peak_kb, kb)
            now = time.perf_counter() - self._t0
            if now - last >= 10:
                self.timeline.append((round(now, 1), self.phase, round(kb / 1024)))
                last = now
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)


# ------------------------------------------------------------------------------------------ pools


_TAG = re.compile(r"<[^>]+>")
_SENT = re.compile(r"(?<=[.!?])\s+")


def _strip(html: str) -> str:
    import html as h

    return h.unescape(_TAG.sub(" ", html.replace("<p>", "\n")))


def build_pools(datasets: Path) -> dict[str, list]:
    """Value pools sampled from the real postings."""
    import polars as pl

    li = datasets / "job-postings-linkedin-2023"
    us = datasets / "job-postings-usajobs"
    hn = datasets / "job-postings-hn-2026" / "hn_jobs_2026.jsonl.gz"
    jobs = pl.read_csv(li / "job_postings.csv.gz", infer_schema=False, columns=["title", "location"])
    titles = jobs["title"].drop_nulls().unique().sort().to_list()
    locations = jobs["location"].drop_nulls().unique().sort().to_list()
    sal = pl.read_csv(li / "salaries.csv.gz", infer_schema=False,
                      columns=["min_salary", "max_salary", "pay_period", "currency"]).drop_nulls(
        ["min_salary", "max_salary"])
    period = {"HOURLY": "hour", "YEARLY": "year", "MONTHLY": "month", "WEEKLY": "week", "BIWEEKLY": None}
    salaries = [(float(a), float(b), period.get(p or "", "year"), c or "USD")
                for a, b, p, c in sal.iter_rows() if period.get(p or "", "year")]
    hist = pl.read_parquet(us / "historical_jobs_2016.parquet",
                           columns=["positionTitle", "hiringAgencyName", "minimumSalary", "maximumSalary",
                                    "salaryType", "PositionLocations"])
    titles += hist["positionTitle"].drop_nulls().unique().sort().to_list()
    companies = hist["hiringAgencyName"].drop_nulls().unique().sort().to_list()
    for a, b, t in hist.select("minimumSalary", "maximumSalary", "salaryType").drop_nulls().head(20000).iter_rows():
        p = "hour" if "Hour" in t else "year" if "Annum" in t or "Year" in t else None
        if p and 0 < a <= b:
            salaries.append((float(a), float(b), p, "USD"))
    for locs in hist["PositionLocations"].drop_nulls().head(20000):
        try:
            loc = json.loads(locs)[0]
            locations.append(f"{loc.get('positionLocationCity')}, {loc.get('positionLocationState')}")
        except (ValueError, IndexError, KeyError, TypeError):
            pass
    sentences, roles = [], []
    with gzip.open(hn, "rt", encoding="utf-8") as fh:
        for line in fh:
            try:
                html = json.loads(line).get("text_html") or ""
            except ValueError:
                continue
            text = _strip(html)
            head = text.split("\n", 1)[0]
            parts = [p.strip() for p in head.split("|")]
            if len(parts) >= 2:
                companies.append(parts[0][:80])
                roles.append(parts[1][:120])
            sentences += [s.strip() for s in _SENT.split(text) if 20 <= len(s.strip()) <= 400]
    titles += roles
    return {"titles": titles, "companies": sorted(set(companies)), "locations": sorted(set(locations)),
            "salaries": salaries, "sentences": sentences}


def write_feed(path: Path, n: int, pools: dict[str, list], seed: int = 7) -> int:
    """Stream ``n`` synthetic postings as JSONL to ``path``; returns bytes written."""
    rnd = random.Random(seed)
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    T, C, L, S, X = (pools[k] for k in ("titles", "companies", "locations", "salaries", "sentences"))
    with path.open("w", encoding="utf-8", buffering=1 << 20) as fh:
        for i in range(n):
            title = rnd.choice(T)
            rec: dict = {"id": f"s{i}", "title": title, "company": rnd.choice(C), "location": rnd.choice(L),
                         "posted_at": (today - timedelta(days=rnd.randrange(364), hours=rnd.randrange(12))).isoformat()}
            if rnd.random() < 0.6:
                a, b, period, cur = rnd.choice(S)
                rec.update(salary_min=a, salary_max=b, salary_period=period, salary_currency=cur)
            k = rnd.randint(2, 8)
            rec["description"] = "<p>" + "</p><p>".join(
                [f"{title} at {rec['company']}."] + [rnd.choice(X) for _ in range(k)]) + "</p>"
            if rnd.random() < 0.2:
                rec["remote"] = rnd.choice(["remote", "hybrid", "onsite"])
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path.stat().st_size


# ------------------------------------------------------------------------------------------ warehouse


def warehouse_home(tmp: Path) -> tuple[Path, str]:
    """A home with taxonomies loaded: a copy of CAREEROS_HOME's when built, else a fresh build in ``tmp``."""
    env = os.environ.get("CAREEROS_HOME")
    home = tmp / "home"
    if env and (Path(env) / "warehouse.duckdb").is_file():
        shutil.copytree(env, home, ignore=shutil.ignore_patterns("memory", "*.lance"))
        return home, f"copy of {env}"
    from careeros.graph.store import build_and_store
    from careeros.settings import Settings
    from careeros.warehouse.provenance import new_run_id
    from careeros.warehouse.taxonomy_load import fingerprints, load_source

    s = Settings(home=home)
    run = new_run_id()
    for fp in fingerprints(s.resolve_datasets()):
        assert load_source(s.warehouse_path, s.raw_dir, fp, run).status == "succeeded"
    assert build_and_store(s.warehouse_path, run).status == "succeeded"
    return home, "built in temp dir"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=int(os.environ.get("CAREEROS_BENCH_SCALE_N", 1_000_000)))
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--out", type=Path, default=RESULTS / "scale.json")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (printed)")
    args = ap.parse_args(argv)

    sampler = RssSampler()
    sampler.start()
    t_all = time.perf_counter()
    phases: dict[str, float] = {}
    tmp = Path(tempfile.mkdtemp(prefix="careeros-scale-"))
    try:
        sampler.phase = "warehouse"
        t0 = time.perf_counter()
        home, home_from = warehouse_home(tmp)
        os.environ["CAREEROS_HOME"] = str(home)
        from careeros.settings import Settings, get_settings

        get_settings.cache_clear()
        phases["warehouse_setup"] = round(time.perf_counter() - t0, 2)

        sampler.phase = "generate"
        t0 = time.perf_counter()
        pools = build_pools(Settings().resolve_datasets())
        feed = tmp / "scale.jsonl"
        nbytes = write_feed(feed, args.n, pools)
        pool_sizes = {k: len(v) for k, v in pools.items()}
        del pools
        phases["generate_feed"] = round(time.perf_counter() - t0, 2)

        from careeros.market import pipeline as P
        from careeros.market.sources import GenericFeedSource
        from careeros.warehouse.db import connect
        from careeros.warehouse.provenance import new_run_id

        sampler.phase = "load_models"
        t0 = time.perf_counter()
        P.load_models()  # cached per warehouse; timed apart from the ingest
        phases["load_models"] = round(time.perf_counter() - t0, 2)

        sampler.phase = "ingest"
        rss_before_ingest = sampler.rss_kb()
        t0 = time.perf_counter()
        wh = get_settings().warehouse_path
        src = GenericFeedSource(feed, name="scale")
        res = P.run_postings(wh, [src], new_run_id(), batch_size=args.batch_size or P.BATCH_SIZE)
        ingest_s = time.perf_counter() - t0
        phases["ingest"] = round(ingest_s, 2)
        with connect(wh, read_only=True) as con:
            counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("posting_raw", "posting", "posting_skill", "quarantine", "demand_weekly")}
            stage = con.execute("SELECT timings_json FROM ingest_runs WHERE source = 'scale' ORDER BY started_at DESC "
                                "LIMIT 1").fetchone()
        sampler.phase = "done"
    finally:
        sampler.stop()
        if args.keep:
            print("kept", tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    ru_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = {
        "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "name": "scale", "ok": all(r.status in ("succeeded", "skipped") for r in res),
        "n": args.n, "feed_mb": round(nbytes / 2**20, 1), "warehouse": home_from, "pools": pool_sizes,
        "wall_seconds": round(time.perf_counter() - t_all, 2), "phases_seconds": phases,
        "ingest_rows_per_s": round(args.n / ingest_s, 1),
        "peak_rss_mb": round(ru_kb / 1024, 1), "peak_vmrss_sampled_mb": round(sampler.peak_kb / 1024, 1),
        "rss_before_ingest_mb": round(rss_before_ingest / 1024, 1),
        "stage_seconds": (json.loads(stage[0]) if stage and isinstance(stage[0], str) else stage[0] if stage
                          else None),
        "summaries": [{"source": r.source, "status": r.status, "rows_read": r.rows_read,
                       "rows_written": r.rows_written, "rows_quarantined": r.rows_quarantined,
                       "seconds": r.seconds, "message": (r.message or "")[:300]} for r in res],
        "counts": counts, "rss_timeline_mb": sampler.timeline,
        "goal": {"wall_seconds_max": 900, "peak_rss_mb_max": 4096},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, default=str))
    print(json.dumps({k: out[k] for k in ("n", "ok", "wall_seconds", "phases_seconds", "ingest_rows_per_s",
                                          "peak_rss_mb", "peak_vmrss_sampled_mb", "counts")}, default=str))
    return 0 if out["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

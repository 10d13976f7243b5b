"""Splink 5 on the same data as Girok's linkage benchmark, set up as a careful user would.

Run by `cargo bench -p girok-linkage` when scripts/bench-splink-setup.sh has made the virtualenv
(target/splink-venv). Prints one JSON line per dataset: precision, recall, F1 (pairwise, as
Girok's benchmark counts them) and wall time including training.

    python splink_compare.py historical PATH
    python splink_compare.py korean PATH      (a synthetic list CSV with a `truth` column)
"""

import json
import re
import sys
import time

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def pairwise(clusters: pd.DataFrame, truth: dict) -> dict:
    """Pairwise precision, recall and F1 of predicted clusters against true entities."""

    def pairs(groups):
        return sum(n * (n - 1) // 2 for n in groups)

    clusters = clusters.assign(truth=clusters["unique_id"].map(truth))
    predicted = pairs(clusters.groupby("cluster_id").size())
    true = pairs(clusters.groupby("truth").size())
    correct = pairs(clusters.groupby(["cluster_id", "truth"]).size())
    p = correct / predicted if predicted else 1.0
    r = correct / true if true else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def historical(path: str) -> dict:
    df = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    truth = dict(zip(df["unique_id"], df["cluster"]))
    start = time.time()
    db = DuckDBAPI()
    sdf = db.register(df.drop(columns=["cluster"]))
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("postcode_fake", "first_name"),
            block_on("postcode_fake", "surname"),
            block_on("dob", "birth_place"),
            block_on("substr(postcode_fake,1,3)", "dob"),
            block_on("substr(postcode_fake,1,3)", "first_name"),
            block_on("substr(postcode_fake,1,3)", "surname"),
            block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
        ],
        comparisons=[
            cl.ForenameSurnameComparison("first_name", "surname", forename_surname_concat_col_name="first_and_surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.LevenshteinAtThresholds("postcode_fake", 2),
            cl.JaroWinklerAtThresholds("birth_place", 0.9).configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob"), block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)")],
        recall=0.8,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.9).as_pandas_dataframe()
    out = pairwise(clusters[["unique_id", "cluster_id"]], truth)
    out["seconds"] = time.time() - start
    return out


def year(v):
    m = re.search(r"\d{4}", v or "")
    return int(m.group(0)) if m else None


def years_apart(col: str, thresholds: list) -> cl.CustomComparison:
    """Exact, then within each threshold, else; missing is missing."""
    levels = [cll.NullLevel(col), cll.ExactMatchLevel(col)]
    levels += [cll.AbsoluteDifferenceLevel(col, t) for t in thresholds]
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(comparison_levels=levels, output_column_name=col)


def korean(path: str) -> dict:
    df = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    truth = dict(zip(df["id"], df["truth"]))
    start = time.time()
    # What a careful user does without Korean-aware tooling: the romanized name lower-cased
    # with separators removed, the Hangul form from whichever column holds it, years as
    # numbers, sex as M/F.
    df = df.rename(columns={"id": "unique_id"}).drop(columns=["truth"])
    text = lambda v: v if isinstance(v, str) and v else None  # noqa: E731
    df["name_clean"] = df["name"].map(lambda v: re.sub(r"[^a-z]", "", text(v).lower()) or None if text(v) else None)
    hangul = lambda v: re.sub(r"[^\uac00-\ud7a3]", "", v) or None if text(v) else None  # noqa: E731
    df["name_hangul"] = [hangul(a) or hangul(b) for a, b in zip(df["name_hangul"], df["name"])]
    df["birth"] = df["birth_year"].map(lambda v: year(text(v))).astype("Int64")
    df["detained"] = df["detention_year"].map(lambda v: year(text(v))).astype("Int64")
    df["sex_mf"] = df["sex"].map(lambda v: {"남": "M", "여": "F"}.get(v, v) if text(v) else None)
    db = DuckDBAPI()
    sdf = db.register(df)
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("name_clean"),
            block_on("name_hangul"),
            block_on("substr(name_clean,1,3)", "birth"),
            block_on("birth", "detained"),
            block_on("substr(name_clean,1,3)", "origin"),
        ],
        comparisons=[
            cl.JaroWinklerAtThresholds("name_clean", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.ExactMatch("name_hangul").configure(term_frequency_adjustments=True),
            cl.ExactMatch("sex_mf"),
            years_apart("birth", [1, 2]),
            cl.JaroWinklerAtThresholds("origin", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("detained_at", [0.9, 0.7]),
            years_apart("detained", [1]),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(sdf, settings)
    linker.training.estimate_probability_two_random_records_match([block_on("name_hangul"), block_on("name_clean", "birth")], recall=0.3)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_clean"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth", "detained"))
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.9).as_pandas_dataframe()
    out = pairwise(clusters[["unique_id", "cluster_id"]], truth)
    out["seconds"] = time.time() - start
    return out


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    which, path = sys.argv[1], sys.argv[2]
    result = {"historical": historical, "korean": korean}[which](path)
    print(json.dumps({"dataset": which, **result}))

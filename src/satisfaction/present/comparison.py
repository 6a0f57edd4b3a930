"""Comparisons against the whole survey as a reader's table: labels, points, words.

The estimates' comparison frames (``compare_province``, ``compare_province_field``,
``compare_field``: one design-based Wald test per row, Holm-adjusted within a family) name
what is compared by code (``overall``, ``element:E1``) and the verdict as ``above`` /
``below``. :func:`comparison_table` turns them into the table the reports show and the
workbooks keep: the index by name, both values in %, the difference in percentage points,
the adjusted p-value and the verdict in words.
"""

from __future__ import annotations

import pandas as pd

from satisfaction.analysis.estimates import ALL

__all__ = ["comparison_table", "drop_tests", "statistic_labels", "verdict_words"]

_WORDS = {
    "vi": {
        "province": "Tỉnh/thành phố",
        "field": "Lĩnh vực",
        "statistic": "Chỉ số",
        "estimate": "Giá trị (%)",
        "overall": "Toàn bộ khảo sát (%)",
        "difference": "Chênh lệch (điểm %)",
        "p": "p đã hiệu chỉnh",
        "verdict": "Kết luận",
        "overall_index": "Chỉ số hài lòng chung",
        "all": "Toàn bộ khảo sát",
        "above": "Cao hơn có ý nghĩa thống kê",
        "below": "Thấp hơn có ý nghĩa thống kê",
        "same": "Không khác biệt có ý nghĩa",
    },
    "en": {
        "province": "Province",
        "field": "Field",
        "statistic": "Index",
        "estimate": "Value (%)",
        "overall": "Whole survey (%)",
        "difference": "Difference (points)",
        "p": "Adjusted p",
        "verdict": "Verdict",
        "overall_index": "Overall satisfaction index",
        "all": "Whole survey",
        "above": "Significantly higher",
        "below": "Significantly lower",
        "same": "No significant difference",
    },
}


def statistic_labels(elements: pd.DataFrame, language: str) -> dict[str, str]:
    """Code of a compared statistic -> its name ("element:E1" -> "Tiếp cận dịch vụ")."""
    words = _WORDS[language]
    names = elements.drop_duplicates("variable").set_index("variable")["label"].to_dict()
    return {"overall": words["overall_index"], **{str(k): str(v) for k, v in names.items()}}


def verdict_words(sig: pd.Series, language: str) -> pd.Series:
    """``above`` / ``below`` / "" as words."""
    words = _WORDS[language]
    return (
        sig.fillna("")
        .map({"above": words["above"], "below": words["below"]})
        .fillna(words["same"])
    )


def comparison_table(compare: pd.DataFrame, elements: pd.DataFrame, language: str) -> pd.DataFrame:
    """The comparison rows as a table in ``language`` (numbers kept; shares 0..1).

    ``attrs``: ``percent_columns`` (the two values), ``points_columns`` (the difference),
    ``p_columns`` (the adjusted p-value).
    """
    words = _WORDS[language]
    names = statistic_labels(elements, language)
    out = pd.DataFrame(index=compare.index)
    for key in ("province", "field"):
        if key in compare.columns and compare[key].nunique() > 1:
            out[words[key]] = compare[key].replace({ALL: words["all"]})
    out[words["statistic"]] = compare["statistic"].map(names).fillna(compare["statistic"])
    out[words["estimate"]] = compare["estimate"].astype(float)
    out[words["overall"]] = compare["overall"].astype(float)
    out[words["difference"]] = compare["difference"].astype(float)
    out[words["p"]] = compare["p_adjusted"].astype(float)
    out[words["verdict"]] = verdict_words(compare["sig"], language)
    out = out.reset_index(drop=True)
    out.attrs["percent_columns"] = [words["estimate"], words["overall"], words["difference"]]
    out.attrs["points_columns"] = [words["difference"]]
    out.attrs["p_columns"] = [words["p"]]
    return out


def drop_tests(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """The comparison without its test (p-value and verdict): a sample that is not a
    probability sample shows differences only (`studies.kinds`)."""
    words = _WORDS[language]
    out = table.drop(columns=[words["p"], words["verdict"]])
    out.attrs = {**table.attrs, "p_columns": []}
    return out

"""R's reference numbers for the model behind the drivers, and the data they come from.

Used by test_ordinal.py, test_correlation.py and test_drivers.py. The numbers come from
tests/r/drivers_goldens.R (R 4.2.2, MASS 7.3-58.2, survey 4.1-1); CI reads the committed
CSV files, not R.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
API = HERE / "data" / "api"
RTOL = 1e-6


@cache
def _goldens() -> pd.DataFrame:
    return pd.read_csv(HERE / "r" / "drivers_goldens.csv", keep_default_na=False)


def golden(case: str, stat: str) -> pd.Series:
    g = _goldens()
    hit = g[(g.case == case) & (g.stat == stat)]
    assert len(hit), (case, stat)
    return pd.Series(hit["value"].astype(float).to_numpy(), index=hit["term"].to_numpy())


def api(name: str) -> pd.DataFrame:
    df = pd.read_csv(API / f"{name}.csv")
    # R: cut(meals, c(0, 25, 50, 75, 100)) -> 4 ordered classes, NA for meals == 0
    classes = pd.cut(df["meals"], [0, 25, 50, 75, 100]).cat.codes
    df["mealcat"] = classes.where(classes >= 0) + 1
    df["stypeH"] = (df["stype"] == "H").astype(float)
    df["stypeM"] = (df["stype"] == "M").astype(float)
    return df


def constructed(n: int = 1500, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, size=(n, 4)).astype(float)
    latent = 0.9 * x[:, 0] + 0.6 * x[:, 1] + rng.logistic(size=n)
    df = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    df["y"] = np.digitize(latent, [2.5, 4, 5.5, 7]) + 1
    return df

"""What the report sections share: the size of a chart with one line per unit."""

from __future__ import annotations

from satisfaction.present.sections import rows_size


def test_a_chart_of_many_provinces_grows_a_line_per_province():
    assert rows_size(4) == (8.0, 4.5)  # the demo's four provinces keep the house size
    width, height = rows_size(34)
    assert width == 8.0 and height >= 34 * 0.23  # 34 names, a line each
    assert rows_size(63)[1] > height

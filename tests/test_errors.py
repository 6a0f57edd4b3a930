from satisfaction.errors import InputError, Problem, ProblemCollector


def test_problem_names_file_sheet_row_column():
    p = Problem("unknown code 7", file="surveys/x/data.xlsx", sheet="Data", row=12, column="q1")
    assert str(p) == "surveys/x/data.xlsx: sheet 'Data': row 12: column 'q1': unknown code 7"


def test_collector_reports_every_problem_at_once():
    c = ProblemCollector()
    c.add("missing column", file="a.csv", column="tinh")
    c.add("missing column", file="a.csv", column="xa")
    try:
        c.raise_if_any(InputError)
    except InputError as err:
        text = str(err)
        assert text.splitlines()[0] == "2 problems:"
        assert "column 'tinh'" in text and "column 'xa'" in text
        assert len(err.problems) == 2
    else:  # pragma: no cover - the collector must raise
        raise AssertionError("no error raised")

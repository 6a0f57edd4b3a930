"""The batch engine: warm kernels, failures, skips, outputs, index page, Dask."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

from satisfaction.errors import ParameterError
from satisfaction.run import kernel
from satisfaction.run.batch import run_batch
from satisfaction.run.units import Unit, make_unit

NOTEBOOKS = Path(__file__).resolve().parents[1] / "data" / "notebooks"
TOY = NOTEBOOKS / "toy_report.ipynb"
LEAKY = NOTEBOOKS / "toy_leaky.ipynb"
PROVINCES = ["Hà Nội", "Huế", "Đà Nẵng"]
# the toy notebook only needs matplotlib; a short preload keeps the tests fast
FAST = {"preload": ("matplotlib.pyplot",), "progress": False}


def _units(inputs=()):
    # "fail" stands in for a province with no rows: the notebook raises in cell 4
    return [
        make_unit(
            TOY,
            {"province": name, "fail": name == "Huế"},
            valid_values={"province": PROVINCES},
            inputs=inputs,
        )
        for name in PROVINCES
    ]


@pytest.fixture(scope="module")
def estimates(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("inputs") / "estimates.csv"
    path.write_text("province,estimate\nHà Nội,0.8\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pool():
    """Warm kernels shared by this module's batches (each batch would otherwise start its own)."""
    shared = kernel.KernelPool(preload=FAST["preload"])
    yield shared
    shared.shutdown()


@pytest.fixture(scope="module")
def batch(tmp_path_factory, estimates, pool):
    out = tmp_path_factory.mktemp("batch") / "outputs"
    manifest = run_batch(_units([estimates]), out_dir=out, workers=2, kernel_pool=pool, **FAST)
    assert pool.started == 2  # one kernel per worker, reused for the third unit
    return out, manifest


def _links(page: str) -> list[str]:
    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag, attrs):
            self.found += [v for k, v in attrs if k in ("href", "src") and v]

    parser = Links()
    parser.feed(page)
    return parser.found


def _outputs(nb) -> list[tuple]:
    """What a reader sees: per code cell its count and outputs (types, text, mime types)."""
    seen = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "injected-parameters" in cell.metadata.get("tags", []):
            continue
        outputs = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            outputs.append(
                (
                    output["output_type"],
                    output.get("text") or data.get("text/plain") or output.get("evalue"),
                    tuple(sorted(data)),
                )
            )
        seen.append((cell.get("execution_count"), outputs))
    return seen


# --- validation writes nothing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (
            {"provinse": "Huế"},
            "parameter 'provinse': unknown parameter (did you mean 'province'?)",
        ),
        ({"repeat": "3"}, "parameter 'repeat': '3' is a str, expected int"),
        ({"province": "Hà Nộii"}, "parameter 'province': 'Hà Nộii' is not in the survey"),
        ({"province": 'Hà "Nội"'}, "parameter 'province': 'Hà \"Nội\"' is not in the survey"),
        (
            {"province": "__import__('os').system('x')"},
            "parameter 'province': \"__import__('os').system('x')\" is not in the survey",
        ),
        ({"province": "../../x"}, "parameter 'province': '../../x' is not in the survey"),
        ({"output_dir": "/tmp"}, "parameter 'output_dir': is set by the batch"),
    ],
)
def test_bad_parameters_fail_before_anything_is_written(tmp_path, parameters, message):
    out = tmp_path / "outputs"
    with pytest.raises(ParameterError) as caught:
        units = [make_unit(TOY, parameters, valid_values={"province": PROVINCES})]
        run_batch(units, out_dir=out, **FAST)
    assert str(caught.value).startswith(message)
    if "not in the survey" in message:
        assert str(caught.value).endswith("valid: Hà Nội, Huế, Đà Nẵng")
    assert list(tmp_path.iterdir()) == []


def test_hand_made_units_are_checked_too(tmp_path):
    out = tmp_path / "outputs"
    bad = [
        Unit(TOY, {"province": "Huế"}, "../evil"),
        Unit(TOY, {"province": "Huế"}, "a/b"),
        Unit(TOY, {"province": "Huế"}, "a"),  # would hold a/b's folder
        Unit(TOY, {"province": "Huế", "shell": "rm -rf /"}, "c"),
        Unit(TOY, {"province": "Huế"}, "d", inputs=(tmp_path / "missing.csv",)),
    ]
    with pytest.raises(ParameterError) as caught:
        run_batch(bad, out_dir=out, **FAST)
    text = str(caught.value)
    assert text.splitlines()[0] == "4 problems:"
    assert "unit '../evil': folder must be slugs joined by '/'" in text
    assert "unit 'a/b': folder lies inside another unit's folder" in text
    assert "unit 'c': parameter 'shell': unknown parameter" in text
    assert "missing.csv: unit 'd': declared input not found" in text
    assert list(tmp_path.iterdir()) == []


# --- a batch with one failing unit ------------------------------------------------------------


def test_failing_unit_is_recorded_and_the_others_complete(batch):
    out, manifest = batch
    assert [(u["folder"], u["status"]) for u in manifest.units] == [
        ("toy-report/ha-noi", "ok"),
        ("toy-report/hue", "failed"),
        ("toy-report/da-nang", "ok"),
    ]
    failed = manifest.unit("toy-report/hue")
    # cells: 0 markdown, 1 parameters, 2 injected parameters, 3 checks, 4 raises
    assert failed["error"] == {
        "cell_index": 4,
        "execution_count": 4,
        "ename": "ValueError",
        "evalue": "no rows for province Huế",
    }
    assert failed["outputs"]["files"] == []
    assert (out / "toy-report/hue/toy_report.html").is_file()  # the error is readable too
    done = manifest.unit("toy-report/da-nang")
    assert done["error"] is None
    assert done["outputs"] == {
        "notebook": "toy-report/da-nang/toy_report.ipynb",
        "html": "toy-report/da-nang/toy_report.html",
        "files": ["toy-report/da-nang/figure.png", "toy-report/da-nang/table.csv"],
    }
    table = (out / "toy-report/da-nang/table.csv").read_text(encoding="utf-8")
    assert table == "i,value\n0,1.5\n1,3.0\n2,4.5\n"


def test_manifest_records_parameters_hashes_versions_and_times(batch, estimates):
    out, _ = batch
    written = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert written["counts"] == {"ok": 2, "failed": 1}
    record = written["units"][0]
    assert record["parameters"] == {"province": "Hà Nội", "fail": False, "repeat": 3, "scale": 1.5}
    file_hash = hashlib.sha256(estimates.read_bytes()).hexdigest()
    assert record["inputs"] == {str(estimates): file_hash}
    assert record["inputs_sha256"] == hashlib.sha256(f"\0{file_hash}\n".encode()).hexdigest()
    assert record["notebook_sha256"] == hashlib.sha256(TOY.read_bytes()).hexdigest()
    assert set(record["versions"]) >= {
        "satisfaction",
        "pandas",
        "numpy",
        "scipy",
        "statsmodels",
        "matplotlib",
        "papermill",
    }
    assert record["versions"]["papermill"] == __import__("papermill").__version__
    assert record["start"] < record["end"] and record["duration_s"] > 0


def test_executed_notebook_records_parameters_and_shows_the_figure(batch):
    out, _ = batch
    nb = nbformat.read(out / "toy-report/ha-noi/toy_report.ipynb", as_version=4)
    injected = nb.cells[2]
    assert injected.metadata["tags"] == ["injected-parameters"]
    assert "province = 'Hà Nội'" in injected.source
    assert f"output_dir = {str(out / 'toy-report/ha-noi')!r}" in injected.source
    assert nb.metadata["papermill"]["parameters"]["province"] == "Hà Nội"
    assert nb.cells[3].outputs[0]["text"] == "Tỉnh: Hà Nội\n"
    assert nb.cells[4].outputs[0]["data"]["text/plain"] == "[1.5, 3.0, 4.5]"
    assert "image/png" in nb.cells[5].outputs[0]["data"]  # inline figure kept


def test_html_report_hides_code_embeds_images_and_stands_alone(batch):
    out, _ = batch
    page = (out / "toy-report/ha-noi/toy_report.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8"' in page
    assert "<title>toy_report: Hà Nội</title>" in page
    assert "Tỉnh: Hà Nội" in page
    assert "ax.bar(range(len(values))" not in page  # code hidden
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', page)) == 1  # the figure
    assert '<script src="http' not in page


def test_index_links_resolve_to_existing_files(batch):
    out, _ = batch
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page
    assert "toy_report: Hà Nội" in page and "toy_report: Đà Nẵng" in page
    assert "ValueError: no rows for province Huế" in page
    links = _links(page)
    anchors = {link for link in links if link.startswith("#")}
    assert anchors == {"#toy-report/hue"}  # the failure list links to the failed unit
    assert 'id="toy-report/hue"' in page
    targets = {unquote(link) for link in links} - anchors
    for target in targets:
        assert (out / target).is_file(), target
        assert (out / target).resolve().is_relative_to(out.resolve())
    for folder in ("ha-noi", "da-nang"):
        for name in ("toy_report.html", "toy_report.ipynb", "figure.png", "table.csv"):
            assert f"toy-report/{folder}/{name}" in targets
    assert "toy-report/hue/toy_report.html" in targets
    assert "manifest.json" in targets


def test_rerun_skips_unchanged_units_without_starting_a_kernel(batch, estimates, monkeypatch):
    out, first = batch

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started for a finished unit")

    monkeypatch.setattr(kernel.WarmKernel, "__init__", no_kernel)
    monkeypatch.setattr("papermill.execute_notebook", no_kernel)
    ok_units = [u for u in _units([estimates]) if u.folder != "toy-report/hue"]
    manifest = run_batch(ok_units, out_dir=out, workers=2, **FAST)
    assert [(u["folder"], u["status"]) for u in manifest.units] == [
        ("toy-report/ha-noi", "skipped"),
        ("toy-report/da-nang", "skipped"),
        ("toy-report/hue", "failed"),  # an earlier unit stays listed
    ]
    before = first.unit("toy-report/ha-noi")
    assert manifest.unit("toy-report/ha-noi")["start"] == before["start"]
    assert manifest.unit("toy-report/ha-noi")["outputs"] == before["outputs"]


def test_force_or_changed_input_reruns(tmp_path, batch, pool):
    source = tmp_path / "estimates.csv"
    source.write_text("v1", encoding="utf-8")
    units = [make_unit(TOY, {"province": "Đà Nẵng"}, inputs=[source], folder="x")]
    out = tmp_path / "outputs"
    started = pool.started
    first = run_batch(units, out_dir=out, kernel_pool=pool, **FAST).unit("x")
    assert first["status"] == "ok"
    again = run_batch(units, out_dir=out, kernel_pool=pool, **FAST).unit("x")
    assert again["status"] == "skipped"
    forced = run_batch(units, out_dir=out, force=True, kernel_pool=pool, **FAST).unit("x")
    assert forced["status"] == "ok" and forced["start"] > first["end"]
    source.write_text("v2", encoding="utf-8")
    changed = run_batch(units, out_dir=out, kernel_pool=pool, **FAST).unit("x")
    assert changed["status"] == "ok"
    assert changed["inputs_sha256"] != first["inputs_sha256"]
    assert pool.started == started  # the warm kernels of the first batch did it all


def test_warm_kernel_gives_the_papermill_outputs_and_does_not_leak_state(tmp_path, batch, pool):
    # a warm kernel that already ran notebooks runs the leaky one (matplotlib.use("Agg"),
    # os.chdir, os.environ, warnings, a global), then the report, which checks none leaked
    units = [make_unit(LEAKY, folder="leaky"), make_unit(TOY, {"province": "Huế"}, folder="r")]
    warm = run_batch(units, out_dir=tmp_path / "warm", workers=1, kernel_pool=pool, **FAST)
    plain = run_batch(units[1:], out_dir=tmp_path / "pm", workers=1, engine="papermill", **FAST)
    assert warm.unit("r")["status"] == "ok" and plain.unit("r")["status"] == "ok"
    warm_nb = nbformat.read(tmp_path / "warm/r/toy_report.ipynb", as_version=4)
    plain_nb = nbformat.read(tmp_path / "pm/r/toy_report.ipynb", as_version=4)
    assert _outputs(warm_nb) == _outputs(plain_nb)
    assert _outputs(warm_nb)[-1][1][0] == (
        "display_data",
        "<Figure size 300x200 with 1 Axes>",
        ("image/png", "text/plain"),
    )
    for name in ("table.csv", "figure.png"):
        assert (tmp_path / "warm/r" / name).read_bytes() == (tmp_path / "pm/r" / name).read_bytes()


def test_dask_local_cluster_gives_the_same_statuses(tmp_path, batch):
    distributed = pytest.importorskip("distributed")
    _, local = batch
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        manifest = run_batch(
            _units(), out_dir=tmp_path / "out", dask_address=cluster.scheduler_address, **FAST
        )
    assert [(u["folder"], u["status"]) for u in manifest.units] == [
        (u["folder"], u["status"]) for u in local.units
    ]
    assert manifest.unit("toy-report/hue")["error"]["evalue"] == "no rows for province Huế"
    assert manifest.meta["dask"] == cluster.scheduler_address
    assert (tmp_path / "out/toy-report/ha-noi/figure.png").is_file()
    assert (tmp_path / "out/index.html").is_file()

"""The `satisfaction` command: thin wrappers over the package, one clear line per error.

Every error the toolkit raises on purpose (`SatisfactionError`) is printed as one line
naming file, sheet, row and column, and the command exits with code 2. `--debug` shows the
traceback instead.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from satisfaction.errors import SatisfactionError

if TYPE_CHECKING:
    from satisfaction.cleaning.rules import CleanResult
    from satisfaction.run.jobs import JobResult

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Citizen-satisfaction (SIPAS) and governance survey analysis: clean, estimate, report.",
)
console = Console(stderr=False)
errors = Console(stderr=True)
_STATE = {"debug": False}

ROOT_HINT = Path("surveys")


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks on errors")] = False,
) -> None:
    _STATE["debug"] = debug


@app.command()
def validate(
    instrument: Annotated[Path, typer.Argument(help="instrument.yaml, or a survey folder")],
) -> None:
    """Check an instrument and print what it declares; with a survey folder (or an
    instrument whose `data:` file is there), also open the data and check it against the
    instrument. Exit code 2 when something would fail later."""
    from satisfaction.io.instrument import load_instrument

    inst = load_instrument(instrument)
    table = Table(title=f"{inst.id} — {inst.title.vi}", show_header=True)
    table.add_column("group")
    table.add_column("items", justify="right")
    for group in inst.groups:
        table.add_row(f"{group.id} {group.label.vi}", str(len(inst.items_with(group=group.id))))
    console.print(table)
    console.print(
        f"items: {len(inst.items)} ({len(inst.criteria)} criteria), scales: "
        f"{', '.join(inst.scales)}, fields: {len(inst.fields.terms) if inst.fields else 0}, "
        f"geography: {inst.geography}, design: {dict(inst.design) or 'none'}, sample: "
        f"{inst.study.kind}{'' if inst.study.declared else ' (assumed)'}, reporting units: "
        f"{', '.join(inst.unit_roles()) or 'none (whole survey only)'}"
    )
    if not inst.salt and any(p.action == "hash" for p in inst.personal_data):
        from satisfaction.io.secret import secret_path

        console.print(
            "warning: personal data is hashed but no `salt:` is set, so the public survey id "
            "is the hash's context; what keeps the hashes from being reversed is the secret "
            f"key {secret_path()} (never share it; back it up to link waves)",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    folder = instrument if instrument.is_dir() else instrument.parent
    if inst.data is not None and (folder / inst.data.file).exists():
        _validate_data(folder)
    console.print("[green]valid[/green]")


def _validate_data(folder: Path) -> None:
    """Open the data; exit 2 (after printing every problem) when cleaning would fail."""
    from satisfaction.cleaning.check import check_survey

    found = check_survey(folder)
    console.print(
        f"data: {found.raw.source.name}"
        + (f", sheet {found.raw.sheet!r}" if found.raw.sheet else "")
        + f": {len(found.raw.frame)} rows, {len(found.raw.columns)} columns: "
        + ", ".join(found.raw.columns[:30])
        + (" ..." if len(found.raw.columns) > 30 else ""),
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
    for warning in found.warnings:
        console.print(f"warning: {warning}", highlight=False, markup=False, soft_wrap=True)
    if found.failing:
        for problem in found.failing:
            errors.print(f"error: {problem}", highlight=False, markup=False, soft_wrap=True)
        raise typer.Exit(code=2)


@app.command("clean")
def clean_command(
    survey_dir: Annotated[Path, typer.Argument(help="survey folder with instrument.yaml")],
    outputs: Annotated[Path, typer.Option(help="root of generated outputs")] = Path("outputs"),
) -> None:
    """Read and clean a survey; write clean data, the cleaning log and the quarantine."""
    from satisfaction.cleaning.survey import clean_output_dir, clean_survey, survey_name
    from satisfaction.run.progress import Steps

    result = clean_survey(survey_dir, outputs, step=Steps())
    _print_clean_summary(result)
    console.print(f"clean outputs: {clean_output_dir(outputs, survey_name(survey_dir))}")


def _print_clean_summary(result: CleanResult) -> None:
    summary = result.summary()
    table = Table(title="Cleaning log / Nhật ký làm sạch")
    for column in ("rule", "kind", "count", "vi"):
        table.add_column(column, justify="right" if column == "count" else "left")
    by_rule = summary.groupby(["rule", "kind", "vi"], sort=False)["count"].sum().reset_index()
    for row in by_rule.itertuples(index=False):
        table.add_row(row.rule, row.kind, str(row.count), row.vi)
    console.print(table)
    console.print(
        f"rows clean: {len(result.data)}, quarantined: {len(result.quarantine)}, "
        f"log entries: {len(result.log)}"
    )


instrument_app = typer.Typer(
    no_args_is_help=True, help="Build an instrument.yaml from what a team already has."
)
app.add_typer(instrument_app, name="instrument")


@instrument_app.command("from-spss")
def instrument_from_spss_command(
    sav: Annotated[Path, typer.Argument(help="the .sav file (it is also the data)")],
    out: Annotated[Path, typer.Option(help="where to write instrument.yaml")],
    geography: Annotated[
        str, typer.Option(help="current_34 or historical_63 (province names and codes)")
    ] = "current_34",
) -> None:
    """Read an SPSS dictionary into an instrument (value labels -> scales, guessed roles)."""
    from satisfaction.io.spss import instrument_spec_from_spss, write_instrument_yaml

    notes: list[str] = []
    spec = instrument_spec_from_spss(sav, geography=geography, notes=notes)
    spec["data"] = {"file": _data_beside(sav, out)}
    write_instrument_yaml(spec, out, notes=notes)
    _print_written(out, notes)


@instrument_app.command("from-xlsform")
def instrument_from_xlsform_command(
    form: Annotated[Path, typer.Argument(help="the XLSForm (.xlsx) of a Kobo/ODK form")],
    out: Annotated[Path, typer.Option(help="where to write instrument.yaml")],
    data: Annotated[
        Path | None, typer.Option(help="the form's data export (Kobo/ODK .xlsx or .csv)")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="sheet of the export")] = None,
) -> None:
    """Read an XLSForm into an instrument (choice lists -> scales, groups -> elements),
    finding each question's column in the export."""
    from satisfaction.io.spss import write_instrument_yaml
    from satisfaction.io.xlsform import instrument_spec_from_xlsform

    notes: list[str] = []
    spec = instrument_spec_from_xlsform(form, data=data, sheet=sheet, notes=notes)
    if data is not None:
        spec["data"]["file"] = _data_beside(data, out)
    write_instrument_yaml(
        spec, out, notes=notes, made_from=f"the XLSForm {form.name} by satisfaction.io.xlsform"
    )
    _print_written(out, notes)


@instrument_app.command("from-export")
def instrument_from_export_command(
    export: Annotated[Path, typer.Argument(help="a Google Forms CSV export (or a flat export)")],
    out: Annotated[Path, typer.Option(help="where to write instrument.yaml")],
) -> None:
    """Read a Google Forms export into an instrument: question texts -> items (`column:`),
    satisfaction answers -> likert criteria, checkbox answers -> multiple items."""
    from satisfaction.io.export_profile import instrument_spec_from_export
    from satisfaction.io.spss import write_instrument_yaml

    notes: list[str] = []
    spec = instrument_spec_from_export(export, notes=notes)
    spec["data"]["file"] = _data_beside(export, out)
    write_instrument_yaml(
        spec,
        out,
        notes=notes,
        made_from=f"the export {export.name} by satisfaction.io.export_profile",
    )
    _print_written(out, notes)


def _data_beside(data: Path, out: Path) -> str:
    """The data file's name in the instrument's folder, copied there (as delivered, byte
    for byte) when it lives elsewhere; an existing different file is never overwritten."""
    import shutil

    from satisfaction.errors import InputError

    folder = out.parent
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / data.name
    if not data.is_file():
        raise InputError("file not found", file=data)
    if target.resolve() != data.resolve():
        if target.exists() and target.read_bytes() != data.read_bytes():
            raise InputError(
                f"{target} already exists and differs from {data}; move one of them",
                file=target,
            )
        if not target.exists():
            shutil.copyfile(data, target)
            console.print(f"copied {data} to {target} (the instrument reads it there)")
    return data.name


def _print_written(out: Path, notes: list[str]) -> None:
    console.print(f"instrument written to {out}")
    for note in notes:
        console.print(f"  guessed: {note}", highlight=False, markup=False)
    console.print(f"next: satisfaction validate {out.parent}")


@app.command("onestop")
def onestop_command(
    survey_dir: Annotated[Path, typer.Argument(help="folder with dossiers.yaml and the export")],
    by: Annotated[str, typer.Option(help="period of the metrics: month, quarter or year")] = (
        "month"
    ),
    outputs: Annotated[Path, typer.Option(help="root of generated outputs")] = Path("outputs"),
    force: Annotated[bool, typer.Option(help="clean again even if nothing changed")] = False,
) -> None:
    """One-stop dossiers: clean the export, write metrics per unit x field x period."""
    from satisfaction.run.onestop import run_onestop

    with console.status(f"reading {survey_dir} ..."):
        result = run_onestop(survey_dir, outputs=outputs, by=by, force=force)
    console.print(
        f"dossiers clean: {result.clean_rows}, quarantined: {result.quarantined_rows}, "
        f"log entries: {result.log_entries}" + ("" if result.cleaned else " (unchanged)")
    )
    console.print(f"metrics: {result.metric_rows} rows by {by} -> {result.metrics}")


@app.command("make-demo")
def make_demo(
    directory: Annotated[Path, typer.Argument(help="where to write the demo survey")] = Path(
        "surveys/demo"
    ),
    seed: Annotated[int, typer.Option(help="random seed")] = 2025,
    wave: Annotated[
        int, typer.Option(help="survey year: 2025, or 2024 for surveys/demo-2024")
    ] = 2025,
    poll: Annotated[
        bool, typer.Option(help="the demo quota poll (surveys/demo-poll) instead")
    ] = False,
    provinces: Annotated[
        int,
        typer.Option(
            help="4: the bundled demo; 34 or 63: a national-scale survey (63: a pre-2025 wave)"
        ),
    ] = 4,
    respondents: Annotated[int, typer.Option(help="national survey: forms in the file")] = 40_000,
    copies: Annotated[
        float, typer.Option(help="national survey: share of copied or near-copied forms")
    ] = 0.0,
    file_format: Annotated[
        str, typer.Option("--format", help="national survey: xlsx, csv or parquet")
    ] = "xlsx",
) -> None:
    """Regenerate the synthetic demo survey (or quota poll) byte-for-byte from its seed, or
    (--provinces 34 or 63) draw a national-scale one for benchmarks (not committed)."""
    if poll:
        from satisfaction.demo.poll import write_poll_survey

        write_poll_survey(directory, seed=seed)
        console.print(f"demo quota poll written to {directory}")
        return
    if provinces == 4:
        from satisfaction.demo.workbook import write_demo_survey

        write_demo_survey(directory, seed=seed, wave=wave)
        console.print(f"demo survey written to {directory}")
        return
    from satisfaction.demo.national import write_national_survey

    with console.status(f"drawing {respondents:,} forms in {provinces} provinces ..."):
        survey = write_national_survey(
            directory,
            provinces=provinces,
            respondents=respondents,
            copies=copies,
            file_format=file_format,
            seed=seed,
            wave=wave,
        )
    console.print(
        f"national survey written to {directory}: {len(survey.raw):,} forms, "
        f"{survey.raw['ma_xa'].nunique():,} communes, {survey.raw['tang'].nunique()} strata, "
        f"{len(survey.copies):,} copied forms ({survey.geography})"
    )


@app.command("make-demo-dossiers")
def make_demo_dossiers(
    directory: Annotated[Path, typer.Argument(help="folder with the demo dossiers.yaml")] = Path(
        "surveys/demo-onestop"
    ),
    rows: Annotated[int, typer.Option(help="dossiers to generate", min=1)] = 2_000_000,
    seed: Annotated[int, typer.Option(help="random seed")] = 2024,
) -> None:
    """Generate the synthetic one-stop dossier export (not committed) from its seed."""
    from satisfaction.demo.dossiers import write_demo_dossiers

    with console.status(f"generating {rows:,} dossiers ..."):
        path = write_demo_dossiers(directory, rows=rows, seed=seed)
    console.print(f"demo dossiers written to {path}")


@app.command()
def batch(
    survey: Annotated[str, typer.Argument(help="survey folder name under surveys/")],
    provinces: Annotated[
        str, typer.Option(help="'all' or comma-separated names of units (provinces by default)")
    ] = "all",
    fields: Annotated[
        str | None,
        typer.Option(
            help="'all' or comma-separated field names (default: all when every unit runs, "
            "none when --provinces names some)"
        ),
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            help="reporting unit: province (default), commune, district, agency or "
            "respondent_group; a survey with no province column defaults to its first unit"
        ),
    ] = "",
    workers: Annotated[int, typer.Option(help="notebooks run at once", min=1)] = 2,
    force: Annotated[bool, typer.Option(help="rerun units whose inputs did not change")] = False,
    dask: Annotated[
        str | None, typer.Option(help="address of a Dask scheduler to send units to")
    ] = None,
    run: Annotated[str, typer.Option(help="name of this run's folder")] = "reports",
    language: Annotated[str, typer.Option(help="vi or en")] = "vi",
    plans: Annotated[
        bool, typer.Option(help="also write remediation plans (xlsx + docx) per province")
    ] = True,
    previous_wave: Annotated[
        str | None, typer.Option(help="survey folder of the previous wave, for the change")
    ] = None,
    target: Annotated[
        str, typer.Option(help="target share of the plans (e.g. 0.8) or 'overall'")
    ] = "0.8",
    pdf: Annotated[
        bool, typer.Option(help="export every Word document to PDF (needs LibreOffice)")
    ] = False,
    png: Annotated[
        bool,
        typer.Option(
            help="also write each report figure as a 200-dpi PNG (the reports show SVG; "
            "plans always have PNGs for Word)"
        ),
    ] = False,
) -> None:
    """Clean, estimate once, and run the report notebooks per unit (province by default) and
    field.

    Naming some units reruns only their reports and plans (the whole-survey units and the
    field reports stay as they are unless --fields names some); the plans keep the previous
    wave an earlier run used unless --previous-wave says otherwise."""
    from satisfaction.run.jobs import run_reports

    result = run_reports(
        survey,
        provinces=provinces,
        fields=fields,
        workers=workers,
        force=force,
        dask_address=dask,
        run=run,
        language=language,
        remediation=plans,
        previous_wave=previous_wave,
        target=target,
        pdf=pdf,
        by=by,
        png=png,
    )
    _print_job(result, pdf=pdf)


def _print_job(result: JobResult, *, pdf: bool = False) -> None:
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(result.manifest.counts.items()))
    console.print(f"units — {counts}")
    for record in result.manifest.with_status("failed"):
        console.print(
            f"[red]failed[/red] {record['folder']}: {record.get('error')}",
            markup=True,
            highlight=False,
        )
    if pdf:
        from satisfaction.run.pdf import libreoffice

        if libreoffice() is None:
            console.print("PDF: LibreOffice (soffice) is not installed; no PDF was written")
    console.print(result.summary(), markup=False, highlight=False, soft_wrap=True)
    failed = [record["folder"] for record in result.manifest.with_status("failed")]
    if failed:
        errors.print(
            f"error: {len(failed)} report(s) failed: {', '.join(failed)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)


@app.command()
def demo(
    workers: Annotated[int, typer.Option(help="notebooks run at once", min=1)] = 2,
    force: Annotated[bool, typer.Option(help="redo every step")] = False,
    pdf: Annotated[
        bool, typer.Option(help="export every Word document to PDF (needs LibreOffice)")
    ] = False,
) -> None:
    """The main job on the bundled demo survey: clean, estimate, every report and remediation
    plan (against the previous wave, surveys/demo-2024), the PAPI-style demo's province
    reports (surveys/papi-demo, three waves), the one-stop reports of the demo dossiers
    (surveys/demo-onestop, generated when missing), the index; then the demo quota poll
    (surveys/demo-poll), reported and planned per commune, with its own index."""
    from satisfaction.demo import DEMO_SEED, PREVIOUS_WAVE, write_demo_survey
    from satisfaction.demo.poll import write_poll_survey
    from satisfaction.present.survey_choice import find_root
    from satisfaction.run.jobs import demo_extra_units, run_reports

    root = find_root()
    previous = f"demo-{PREVIOUS_WAVE}"
    for folder, wave in (("demo", DEMO_SEED), (previous, PREVIOUS_WAVE)):
        if not (root / "surveys" / folder / "instrument.yaml").exists():
            write_demo_survey(root / "surveys" / folder, wave=wave)
    with console.status("PAPI and one-stop demos: generating (first run) and counting ..."):
        extra = demo_extra_units(root, force=force)
    result = run_reports(
        "demo",
        workers=workers,
        force=force,
        root=root,
        remediation=True,
        previous_wave=previous,
        extra_units=extra,
        pdf=pdf,
    )
    summary = root / "outputs" / "demo" / "clean" / "cleaning_summary.csv"
    if summary.exists():
        import pandas as pd

        table = pd.read_csv(summary, encoding="utf-8-sig")
        console.print(
            f"cleaning log: {int(table['count'].sum())} entries in "
            f"{table['rule'].nunique()} rules ({summary.parent})"
        )
    _print_job(result, pdf=pdf)
    if not (root / "surveys" / "demo-poll" / "instrument.yaml").exists():
        write_poll_survey(root / "surveys" / "demo-poll")
    poll = run_reports(
        "demo-poll", workers=workers, force=force, root=root, remediation=True, pdf=pdf
    )
    _print_job(poll, pdf=pdf)


papi_app = typer.Typer(
    no_args_is_help=True, help="PAPI-style governance indices: published tables, composites."
)
app.add_typer(papi_app, name="papi")


@papi_app.command("published")
def papi_published(
    workbook: Annotated[Path, typer.Argument(help="published index workbook (.xlsx)")],
    outputs: Annotated[Path, typer.Option(help="root of generated outputs")] = Path("outputs"),
    language: Annotated[str, typer.Option(help="vi or en")] = "vi",
) -> None:
    """Check a published PAPI-style workbook; write tidy scores, checks, league tables, maps."""
    from satisfaction.run.papi import publish_tables

    with console.status(f"reading {workbook} ..."):
        result = publish_tables(workbook, outputs, language=language)
    table = Table(title="Checks / Kiểm tra")
    for column in ("sheet", "check", "status", "message"):
        table.add_column(column)
    checks = result.checks
    worth_reading = ("not_published", "sub_dimension_set", "sub_dimension_label")
    shown = checks[(checks["status"] == "problem") | checks["check"].isin(worth_reading)]
    for row in shown.itertuples(index=False):
        table.add_row(str(row.sheet), row.check, row.status, row.message)
    console.print(table)
    ok = int((result.checks["status"] == "ok").sum())
    console.print(
        f"years: {', '.join(map(str, result.years))}; checks ok: {ok}, notes: "
        f"{int((result.checks['status'] == 'note').sum())}, problems: {len(result.problems)} "
        "(every check in checks.csv)"
    )
    console.print(f"outputs: {result.folder}")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app; known errors become one line on stderr and exit code 2."""
    args = sys.argv[1:] if argv is None else argv
    _STATE["debug"] = "--debug" in args
    try:
        app(args=args, prog_name="satisfaction")
    except SatisfactionError as err:
        if _STATE["debug"]:
            raise
        errors.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
        return 2
    except (OSError, ValueError) as err:  # the system said no: a path, a disk, a permission
        if _STATE["debug"]:
            raise
        where = f"{err.filename}: " if getattr(err, "filename", None) else ""
        reason = getattr(err, "strerror", None) or str(err)
        errors.print(f"error: {where}{reason}", markup=False, highlight=False, soft_wrap=True)
        return 2
    except SystemExit as done:  # typer/click end every run (and usage errors, code 2) so
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

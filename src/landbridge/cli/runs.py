"""``landbridge runs list|show|export``: the stored runs."""

from __future__ import annotations

import typer

from landbridge.cli.common import (
    STORE_OPTION_HELP,
    console,
    frame_table,
    print_json,
    store_at,
    user_errors,
)

runs_app = typer.Typer(help="Stored runs: list, show, export.", no_args_is_help=True)


@runs_app.command("list")
@user_errors
def runs_list(
    store: str | None = typer.Option(None, "--store", help=STORE_OPTION_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Stored runs, newest first."""
    target = store_at(store)
    if as_json:
        from landbridge.app.runs import list_runs

        print_json(list_runs(target))
        return
    runs = target.list_runs()
    console.print(
        frame_table(
            runs.assign(created=runs["created_utc"].astype(str).str[:19]),
            f"Runs in {target.path}",
            {"run_id": "run id", "created": "created (UTC)", "scenario_name": "scenario",
             "seed": "seed", "status": "status", "package_version": "version"},  # fmt: skip
            limit=200,
        )
    )


@runs_app.command("show")
@user_errors
def runs_show(
    run_id: str = typer.Argument(..., help="Run id (see landbridge runs list)."),
    store: str | None = typer.Option(None, "--store", help=STORE_OPTION_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """One run: metadata, timings, row counts and the scenario it ran."""
    from landbridge.app.runs import show_run

    meta = show_run(store_at(store), run_id)
    if as_json:
        print_json(meta)
        return
    for key in ("run_id", "created_utc", "scenario_name", "scenario_hash", "package_version",
                "seed", "status", "timings_s", "row_counts", "parameters"):  # fmt: skip
        console.print(f"{key}: {meta[key]}", highlight=False, markup=False)
    console.print("scenario:\n" + meta["scenario_yaml"], highlight=False, markup=False)


@runs_app.command("export")
@user_errors
def runs_export(
    run_id: str = typer.Argument(..., help="Run id (see landbridge runs list)."),
    fmt: str = typer.Option("parquet", "--format", help="parquet | csv | geojson."),
    out: str | None = typer.Option(
        None, "--out",
        help="Folder to write (one file per table and a manifest); an earlier export there is "
        "replaced as a whole. Default: <store>-exports/RUN_ID.",
    ),
    store: str | None = typer.Option(None, "--store", help=STORE_OPTION_HELP),
) -> None:
    """Export a run as GeoParquet, CSV or GeoJSON files (one per table, with run_id)."""
    from landbridge.app.runs import export_run

    path = export_run(store_at(store), run_id, fmt, out)
    console.print(f"wrote {path}", highlight=False, markup=False, soft_wrap=True)

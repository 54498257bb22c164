"""The shared console follows the terminal width of each command, not that of the first one."""

from __future__ import annotations

from typer.testing import CliRunner

from landbridge.cli import app


def _widest(columns: int) -> int:
    result = CliRunner().invoke(app, ["regions"], env={"COLUMNS": str(columns)})
    assert result.exit_code == 0, result.output
    return max(len(line) for line in result.output.splitlines())


def test_two_widths_in_one_process() -> None:
    narrow, wide, narrow_again = _widest(50), _widest(200), _widest(50)
    assert narrow <= 50 and narrow_again <= 50
    assert wide > 50  # the regions table is wider than 50 columns when it may be


def test_the_console_reads_columns_when_it_prints(monkeypatch) -> None:
    from landbridge.cli.common import console, err_console

    for columns in (61, 143):
        monkeypatch.setenv("COLUMNS", str(columns))
        assert console.width == columns and err_console.width == columns

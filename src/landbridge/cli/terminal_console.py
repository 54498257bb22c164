"""The Rich console of the CLI, whose size follows the terminal of each command."""

from __future__ import annotations

from rich.console import Console


class TerminalConsole(Console):
    """A Rich console whose size follows the terminal: Rich reads ``COLUMNS`` and ``LINES`` when a
    console is made and keeps them; this one reads them (else the terminal's size) whenever it
    lays out output, so one process can run commands at several widths (tests, CliRunner)."""

    def __init__(self, *, stderr: bool = False) -> None:
        super().__init__(stderr=stderr)
        self._width = None  # Console.size reads the environment again when these are unset
        self._height = None

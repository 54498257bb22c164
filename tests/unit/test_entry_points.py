"""``python -m landbridge`` is the same command line as the ``landbridge`` script."""

from __future__ import annotations

import subprocess
import sys


def test_python_dash_m_runs_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "landbridge", "events", "--date", "2025-13-01"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "not a date" in result.stderr

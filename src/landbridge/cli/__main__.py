"""``python -m landbridge.cli``: the same command line as ``landbridge``."""

from landbridge.cli import main

main()

"""``python -m landbridge``: the same command line as ``landbridge``."""

from landbridge.cli import main

main()

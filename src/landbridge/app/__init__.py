"""Use cases that every face (CLI, API, Python) calls."""

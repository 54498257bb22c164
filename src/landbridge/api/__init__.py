"""The REST face: ``create_app()`` (``landbridge.api.app``) serves the JSON API under ``/api`` and
the offline web planner at ``/``. Start it with ``landbridge serve``; the OpenAPI document is at
``/openapi.json`` and its browsable form at ``/docs``.

Background jobs run in spawned processes: a program that builds the app itself must keep its
module-level code under ``if __name__ == "__main__":`` (the usual multiprocessing rule), as
``landbridge serve`` and uvicorn do.
"""

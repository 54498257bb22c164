"""The API fuzzed from its own OpenAPI document (schemathesis): no 5xx, and every 2xx body matches
the documented model. Examples per operation are bounded so the suite stays fast."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from landbridge.api.app import create_app
from landbridge.api.settings import ApiSettings

# Hits empty, huge, odd-script and wrong-typed values of each field in seconds per operation.
EXAMPLES_PER_OPERATION = 25

# No job may wait, so every well-formed submission is answered 429 (documented) and no worker
# process is started: the fuzzing covers validation and errors, not hours of simulation.
app = create_app(ApiSettings(max_queued_jobs=0))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_documented_bodies(case) -> None:
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

"""Server settings: where the API listens, and limits that keep a request from eating the machine.

Every limit is a named policy default (not a measured figure): it bounds work per request so that a
typo such as ``replications: 1000000`` is refused with a message instead of running for hours.
"""

from __future__ import annotations

import ipaddress
import os

from pydantic import BaseModel, Field

from landbridge.errors import InvalidInputError

TOKEN_ENV = "LANDBRIDGE_TOKEN"
ALLOWED_HOSTS_ENV = "LANDBRIDGE_ALLOWED_HOSTS"
# A token that guards a server reachable from a network: at least 32 characters drawn from at
# least 12 different ones (``secrets.token_urlsafe(32)`` gives 43 of about 40 different).
MIN_TOKEN_CHARS = 32
MIN_TOKEN_DISTINCT_CHARS = 12
TOKEN_ADVICE = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

# Largest request body: a scenario or shipment list is a few KB; 1 MiB leaves room for big
# hand-written demand tables and still refuses uploads of files that do not belong here.
MAX_BODY_BYTES = 1 << 20
# Longest query string (place autocomplete, layer filters). Browsers send well under 2 KB.
MAX_QUERY_BYTES = 4096
# Monte Carlo replications one API job may ask for; the CLI can run more on the user's own machine.
MAX_REPLICATIONS = 1000
# Wall-clock limit for one background job (simulation, flows, scenario run), in seconds.
MAX_JOB_RUN_S = 600.0
# Jobs running at once. Each runs in its own process; two cores are the project's reference machine,
# so one job leaves the other core to route requests.
MAX_RUNNING_JOBS = 1
# Jobs waiting for a worker; more get 429 so a loop of submissions cannot queue forever.
MAX_QUEUED_JOBS = 16
# Finished jobs kept in memory for their result; the oldest are forgotten first.
MAX_KEPT_JOBS = 200


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ApiSettings(BaseModel):
    """Listening address, access token and per-request limits of the REST API."""

    host: str = DEFAULT_HOST
    port: int = Field(DEFAULT_PORT, ge=0, le=65535)
    token: str | None = Field(None, description="Required on every endpoint but the page when set.")
    allowed_hosts: tuple[str, ...] = Field(
        (), description="Host names accepted besides the listening address (DNS rebinding guard)."
    )
    max_body_bytes: int = Field(MAX_BODY_BYTES, gt=0)
    max_query_bytes: int = Field(MAX_QUERY_BYTES, gt=0)
    max_replications: int = Field(MAX_REPLICATIONS, gt=0)
    max_job_run_s: float = Field(MAX_JOB_RUN_S, gt=0)
    max_running_jobs: int = Field(MAX_RUNNING_JOBS, gt=0)
    max_queued_jobs: int = Field(MAX_QUEUED_JOBS, ge=0)
    max_kept_jobs: int = Field(MAX_KEPT_JOBS, gt=0)
    route_workers: int = Field(
        0, ge=0, description="Worker processes planning new route answers; 0: threads in-process."
    )

    @classmethod
    def from_env(
        cls, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, route_workers: int = 0
    ) -> ApiSettings:
        """Settings for ``host:port`` with the token read from ``LANDBRIDGE_TOKEN``."""
        token = os.environ.get(TOKEN_ENV) or None
        names = tuple(
            h.strip() for h in os.environ.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip()
        )
        return cls(
            host=host, port=port, token=token, allowed_hosts=names, route_workers=route_workers
        )

    def check_exposure(self) -> None:
        """Refuse to listen beyond loopback without a strong token: anyone there could run work."""
        if is_loopback(self.host):
            return
        if not self.token:
            raise InvalidInputError(
                f"Refusing to listen on {self.host} without a token: set {TOKEN_ENV} to a secret "
                f"(e.g. from {TOKEN_ADVICE}; clients send it as 'Authorization: Bearer <token>'), "
                f"or listen on {DEFAULT_HOST}."
            )
        if len(self.token) < MIN_TOKEN_CHARS or len(set(self.token)) < MIN_TOKEN_DISTINCT_CHARS:
            raise InvalidInputError(
                f"Refusing to listen on {self.host} with a weak {TOKEN_ENV}: beyond loopback the "
                f"token needs at least {MIN_TOKEN_CHARS} characters of at least "
                f"{MIN_TOKEN_DISTINCT_CHARS} different ones; make one with {TOKEN_ADVICE}."
            )

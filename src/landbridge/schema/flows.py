"""The corridor-flows result: one contract for `flows --json`, the API and scenarios."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Bottleneck(BaseModel):
    """One capacitated element (crossing, gauge-change yard, port, ferry line, line section)."""

    model_config = ConfigDict(extra="forbid")

    rank: int = Field(ge=1, description="1 = highest utilization")
    facility_id: str
    name: str
    kind: str
    countries: str
    flow_t: float = Field(description="t/yr through the element (busiest direction for sections)")
    container_t: float = Field(default=0.0, description="container part of flow_t, t/yr")
    flow_teu: float = Field(description="container_t in TEU/yr (tonnes_per_teu); bulk has none")
    capacity_t: float = Field(description="t/yr")
    capacity_basis: str = Field(
        default="sourced",
        description="sourced | observed floor | estimate (method): see flows.capacity",
    )
    utilization: float = Field(description="flow_t / capacity_t")
    delay_h: float = Field(description="queueing delay added per train passage at this flow, h")


class CorridorShare(BaseModel):
    """Share of China's transit flow (China <-> beyond Kazakhstan) through one gateway or leg."""

    model_config = ConfigDict(extra="forbid")

    corridor: str
    flow_t: float
    share: float


class Calibration(BaseModel):
    """A modelled volume next to the published one."""

    model_config = ConfigDict(extra="forbid")

    element: str
    year: int
    published: float
    modelled: float
    unit: str
    error_pct: float | None = Field(description="(modelled - published) / published x 100")
    source: str = Field(description="source ids; derived figures say how in 'note'")
    note: str = ""


class AssignmentSummary(BaseModel):
    model_config = ConfigDict(extra="forbid")

    algorithm: str
    iterations: int
    relative_gap: float
    converged: bool
    objective: float = Field(
        description="Beckmann objective (ue) or total generalized cost of the path flows (logit)"
    )
    dispersion: float | None = Field(
        default=None, description="relative logit scale theta (logit route choice only)"
    )
    avoid_share: float | None = Field(
        default=None,
        description="share of China–EU/Türkiye/Caucasus transit avoiding Russia and Belarus "
        "(None: per-row demand column, or not modelled)",
    )


class BindingFacility(BaseModel):
    """A capacity that limits the maximum throughput (positive shadow price)."""

    model_config = ConfigDict(extra="forbid")

    facility_id: str
    name: str
    capacity_t: float
    flow_t: float
    shadow_price: float = Field(description="extra t/yr carried per extra t/yr of capacity")


class Throughput(BaseModel):
    """Hard-capacity answer (HiGHS LP) over every corridor option of the choice set."""

    model_config = ConfigDict(extra="forbid")

    demand_t: float
    carried_t: float
    carried_share: float
    binding: list[BindingFacility]
    paths: int = Field(default=0, description="corridor options (paths) offered to the LP")
    uncapacitated: list[str] = Field(
        default_factory=list,
        description="facilities on the offered paths without a capacity figure: the LP treats "
        "them as unlimited",
    )


class FlowsResult(BaseModel):
    """Bottlenecks, corridor shares and calibration of one equilibrium assignment."""

    model_config = ConfigDict(extra="forbid")

    year: int
    growth_pct: float
    demand_t: float = Field(description="total demand of the year (after growth), t/yr")
    demand_teu: float = Field(description="container demand of the year (after growth), TEU/yr")
    unserved_t: float = Field(
        default=0.0, description="demand with no path on this network (left out), t/yr"
    )
    bottlenecks: list[Bottleneck]
    corridor_shares: list[CorridorShare]
    calibration: list[Calibration]
    assignment: AssignmentSummary
    max_throughput: Throughput | None = Field(
        default=None, description="only with the hard-capacity mode"
    )
    notes: list[str] = Field(default_factory=list)


class FlowsRequest(BaseModel):
    """What to assign: the demand year and growth, and the route-choice settings.

    The scenario (and the CLI's own demand file) are given beside the request: the CLI may name
    files, the API only bundled scenarios. ``route_choice``, ``dispersion`` and ``avoid_share``
    are checked by the flows layer, with the same message for every face.
    """

    model_config = ConfigDict(extra="forbid")

    year: int | None = Field(
        default=None, description="Demand year (default 2024, or the scenario's)."
    )
    growth_pct: float = Field(default=0.0, description="Demand growth on the year, in percent.")
    max_throughput: bool = Field(default=False, description="Also solve the hard-capacity LP.")
    route_choice: str = Field(
        default="logit", description="logit (stochastic equilibrium) or ue (deterministic)."
    )
    dispersion: float | None = Field(
        default=None, description="Logit scale theta (default: the derived mid value)."
    )
    avoid_share: float | None = Field(
        default=None,
        description="Share (0-1) of China-EU/Türkiye/Caucasus transit avoiding Russia and Belarus "
        "(default: the derived value).",
    )
    calibrated: bool = Field(default=True, description="False: gateway constants at zero.")

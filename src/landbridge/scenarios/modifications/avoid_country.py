"""``avoid_country``: every edge in a country, and every facility touching it, removed."""

from __future__ import annotations

import dataclasses

import numpy as np

from landbridge.network.model import Network
from landbridge.scenarios import network_edit as edit
from landbridge.scenarios.modifications.base import Applied, Base, Problem, Rule, country_problems
from landbridge.schema.scenario import AvoidCountry


def resolve(mod: AvoidCountry, base: Base) -> list[Problem]:
    return country_problems("country", mod.country, base.net)


def apply(mod: AvoidCountry, state: Applied) -> Applied:
    return dataclasses.replace(state, net=_avoid(state.net, mod.country))


def _avoid(net: Network, iso2: str) -> Network:
    cid = net.country_id(iso2)
    code = iso2.upper()
    countries = [c.split("-") for c in net.facilities["countries"].tolist()]
    touching = np.flatnonzero([code in cs for cs in countries])
    drop = (net.edge_country == cid) | np.isin(net.edge_facility, touching)
    drop |= (net.node_country[net.edge_src] == cid) | (net.node_country[net.edge_dst] == cid)
    net = edit.remove_edges(net, drop)
    avoided = [*net.meta.get("avoided_countries", []), code]
    return edit.with_meta(net, avoided_countries=avoided)


RULE = Rule("avoid_country", resolve, apply)

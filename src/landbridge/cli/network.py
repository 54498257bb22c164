"""``landbridge network build|info|check``: the bundled rail network."""

from __future__ import annotations

import typer

from landbridge.cli.common import console, err_console, print_json, user_errors

network_app = typer.Typer(
    help="Build, inspect and check the bundled rail network.", no_args_is_help=True
)


@network_app.command("build")
@user_errors
def network_build() -> None:
    """Build the network from the bundled data into the cache (replaces any cached copy)."""
    from landbridge.network import load_network

    net = load_network(rebuild=True, progress=lambda msg: err_console.print(f"[dim]{msg}[/]"))
    built_s = net.meta.get("build_s")
    console.print(f"built {net.n_nodes:,} nodes, {net.n_edges:,} edges in {built_s} s")


@network_app.command("info")
@user_errors
def network_info(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Size, countries, edge modes and facilities of the cached network."""
    from landbridge.network import load_network
    from landbridge.network.info import network_info as info

    report = info(load_network())
    if as_json:
        print_json(report)
        return
    for key, value in report.items():
        console.print(f"[bold]{key}[/]: {value}", highlight=False, soft_wrap=True)


@network_app.command("check")
@user_errors
def network_check(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Connectivity, hub reachability, crossings and lengths against published figures."""
    from landbridge.network import load_network
    from landbridge.network.check import check_network

    report = check_network(load_network())
    if as_json:
        print_json(report)
        return
    console.print(
        f"{report['nodes']:,} nodes, {report['edges']:,} edges, {report['components']} components, "
        f"largest {report['largest_component_share']:.1%}"
    )
    unreachable = [h["name"] for h in report["hubs"] if not h["reachable"]]
    console.print(f"hubs: {len(report['hubs']) - len(unreachable)}/{len(report['hubs'])} reachable"
                  + (f" (not: {', '.join(unreachable)})" if unreachable else ""))  # fmt: skip
    named = [c for c in report["crossings"] if c["named"]]
    changes = sum(c["gauge_change"] for c in report["crossings"])
    closed = [c["name"] for c in report["crossings"] if c["closed"]]
    console.print(
        f"crossings: {len(report['crossings'])} ({len(named)} named, {changes} gauge changes, "
        f"{len(closed)} closed)"
    )
    for c in report["length_checks"]:
        err = "n/a" if c["error_pct"] is None else f"{c['error_pct']:+.1f}%"
        console.print(
            f"  {c['from']}–{c['to']}: {c['modelled_km']} km vs {c['published_km']} km "
            f"published ({err})"
        )

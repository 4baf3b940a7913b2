"""Service commands: serve."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kbtools.cli.commands.common import knowledge_base

if TYPE_CHECKING:
    from kbtools.service.settings import Settings


def sign_in_lines(settings: Settings, environ: Mapping[str, str]) -> tuple[str, str | None]:
    """How `kb serve` tells agents to sign in to the wiki, and a line showing the token made for this run
    (None when tokens are configured: those are never printed)."""
    from kbtools.service.settings import load_settings

    if not load_settings(environ=environ)["api_tokens"]:  # none configured: resolve_settings made one
        return "sign in with the token below", (
            f"Access token (made for this run; set KB_API_TOKENS to keep one): {settings['api_tokens'][0]}"
        )
    if "KB_API_TOKENS" in environ:  # the environment wins over KB_CONFIG's file
        return "sign in with one of the tokens in KB_API_TOKENS", None
    return f"sign in with one of the tokens of api_tokens in {environ['KB_CONFIG']}", None


def webhook_line(settings: Settings) -> str:
    """Where helpdesk deliveries go: the URL's origin only (its path or query may hold the receiver's token)."""
    import urllib.parse

    url = settings.helpdesk_webhook_url
    if not url:
        return "none (set KB_HELPDESK_WEBHOOK_URL to notify the helpdesk)"
    parts = urllib.parse.urlsplit(url)
    origin = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return f"{origin} (signed; see `kb webhooks list`)"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", type=int, help="Worker processes [KB_WORKERS, 4].")
@click.option("--threads", type=click.IntRange(min=1), help="Threads per worker process [KB_THREADS, 8].")
@click.option("--rebuild", is_flag=True, help="Build the sites even if they exist.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int | None, threads: int | None, rebuild: bool) -> None:
    """Serve the help center at /, the agent wiki at /internal/ and the API under /api/v1/."""
    from kbtools.service import create_app, open_database, resolve_settings
    from kbtools.service.limits import check_storage
    from kbtools.service.server import GunicornServer
    from kbtools.service.sites import sites_missing
    from site_plugins.build import AUDIENCES, BuildOptions, build_sites, built_for, site_addresses

    kb = knowledge_base(ctx)
    settings = resolve_settings({"root": str(kb.root)})
    # Before the sites are built: a database or shared store that does not answer stops here
    check_storage(settings)
    open_database(settings).dispose()
    options = BuildOptions(
        out_dir=Path(settings["site_dir"]),
        base_url=f"http://{host}:{port}/",
        service_url="/",
        contact_url=settings["contact_url"],
    )
    # Sites built for another address or service (or none: `kb build` without --service-url) would send
    # feedback and searches nowhere: rebuilt for this one
    recorded = built_for(Path(settings.site_dir))
    stale = [name for name in AUDIENCES if recorded.get(name) != site_addresses(options)]
    if rebuild or sites_missing(settings["site_dir"]) or stale:
        if stale and not rebuild and not sites_missing(settings["site_dir"]):
            click.echo(f"The built sites ({', '.join(stale)}) were made for another address or service: rebuilding.")
        click.echo("Building the sites...")
        build_sites(kb, options)
    if rebuild or not Path(settings["search_index"]).exists():
        from search import build_index

        click.echo("Indexing for agent search...")
        build_index(kb, Path(settings["search_index"]))
    app = create_app(settings)  # migrates the database once, before the workers start
    base = f"http://{host}:{port}"
    sign_in, token_line = sign_in_lines(settings, os.environ)
    click.echo(f"Help center:  {base}/")
    click.echo(f"Agent wiki:   {base}/internal/  ({sign_in})")
    click.echo(f"Dashboard:    {base}/internal/dashboard")
    click.echo(f"API:          {base}/api/v1/openapi.json")
    click.echo(f"Database:     {settings['database_url']}")
    click.echo(f"Webhook:      {webhook_line(settings)}")
    if token_line:
        click.echo(token_line)
    sys.stdout.flush()  # before gunicorn forks its workers, or they print it again
    GunicornServer(app, host, port, workers or settings["workers"], threads or settings["threads"]).run()


@click.command()
@click.option("--since", default="30d", show_default=True, help="Period: 7d, 4w, 1m... ending today.")
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write (self-contained: send it as an attachment).",
)
@click.pass_context
def report(ctx: click.Context, since: str, out_path: Path) -> None:
    """Write the dashboard for a period as one self-contained HTML file (a weekly or monthly snapshot)."""
    from datetime import date

    from kbtools.analytics.periods import Period
    from kbtools.analytics.report import MAX_DAYS, dashboard_data, render_dashboard
    from kbtools.analytics.store import connect, migrate
    from kbtools.model.durations import parse_interval
    from kbtools.model.errors import UsageError
    from kbtools.model.files import write_atomically
    from kbtools.service import resolve_settings

    today = date.today()
    try:
        interval = parse_interval(since)
    except ValueError as exc:
        raise UsageError(f"--since: {exc}") from None
    try:
        period = Period.of(interval.before(today) + timedelta(days=1), today, max_days=MAX_DAYS)
    except (OverflowError, ValueError):  # a date before year 1, or a PeriodError
        raise UsageError(f"--since: {since!r} is not a period the report can show: 1d to {MAX_DAYS}d") from None
    kb = knowledge_base(ctx)
    settings = resolve_settings({"root": str(kb.root)})
    engine = connect(settings["database_url"])
    migrate(engine)
    data = dashboard_data(engine, kb, period, settings["min_votes"], settings["search_index"], today)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out_path, render_dashboard(data, standalone=True))
    click.echo(f"Wrote {out_path} ({data['from']} to {data['to']}).")


COMMANDS = [serve, report]

"""`kb webhooks`: the helpdesk webhook's outbox for operators (list, retry dead letters, send a test)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from kbtools.cli.commands.common import knowledge_base

if TYPE_CHECKING:
    from kbtools.analytics.store import Engine
    from kbtools.service.settings import Settings


def _store(ctx: click.Context) -> tuple[Settings, Engine]:
    from kbtools.service import open_database, resolve_settings

    kb = knowledge_base(ctx)
    settings = resolve_settings({"root": str(kb.root)})
    return settings, open_database(settings)


@click.group()
def webhooks() -> None:
    """The helpdesk webhook's deliveries: pending, dead-lettered, delivered."""


@webhooks.command("list")
@click.option(
    "--state",
    type=click.Choice(["pending", "dead", "delivered", "unfinished", "all"]),
    default="unfinished",
    show_default=True,
    help="Which deliveries: unfinished is pending and dead-lettered.",
)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="Newest first, at most.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def list_command(ctx: click.Context, state: str, limit: int, fmt: str) -> None:
    """List deliveries with their attempts and last error."""
    from kbtools.analytics import outbox
    from kbtools.analytics.outbox import DeliveryState

    groups = {"unfinished": [DeliveryState.PENDING, DeliveryState.DEAD], "all": list(DeliveryState)}
    states = groups[state] if state in groups else [DeliveryState(state)]
    _, engine = _store(ctx)
    report = outbox.DeliveryList(outbox.list_deliveries(engine, states, limit), outbox.counts(engine))
    click.echo(report.as_json() if fmt == "json" else report.as_text())


@webhooks.command()
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-dead", is_flag=True, help="Every dead-lettered delivery.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def retry(ctx: click.Context, ids: tuple[int, ...], all_dead: bool, fmt: str) -> None:
    """Send dead-lettered deliveries again, from the first attempt (a running `kb serve` sends them)."""
    from kbtools.analytics import outbox
    from kbtools.model.errors import UsageError

    if bool(ids) == all_dead:
        raise UsageError("give delivery ids or --all-dead (not both)")
    _, engine = _store(ctx)
    retried = outbox.retry(engine, outbox.at(time.time()), ids, all_dead=all_dead)
    known = {delivery.id: delivery for delivery in outbox.find(engine, ids)}
    problems = []
    for delivery_id in ids:
        if delivery_id not in known:
            problems.append(f"{delivery_id}: no such delivery")
        elif delivery_id not in retried:
            problems.append(f"{delivery_id}: {known[delivery_id].state}, not dead-lettered: left as it is")
    report = outbox.RetryReport(retried, problems)
    click.echo(report.as_json() if fmt == "json" else report.as_text())
    if problems:
        raise SystemExit(1)


@webhooks.command()
@click.pass_context
def ping(ctx: click.Context) -> None:
    """Queue a `ping` delivery to the helpdesk webhook, to check the receiver (a running `kb serve` sends it)."""
    from kbtools.analytics import outbox
    from kbtools.analytics.store import writing
    from kbtools.model.errors import UsageError

    settings, engine = _store(ctx)
    if not settings.helpdesk_webhook_url:
        raise UsageError("no helpdesk webhook is configured: set KB_HELPDESK_WEBHOOK_URL (and its secrets)")
    with writing(engine) as connection:
        delivery_id = outbox.add(connection, "ping", {"message": "kb webhook test"}, outbox.at(time.time()))
    click.echo(f"Queued ping delivery {delivery_id}; see it with `kb webhooks list --state all`.")


COMMANDS = [webhooks]

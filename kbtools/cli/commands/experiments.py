"""kb experiments: the report of each declared experiment, and stopping one (kbtools.model.experiments)."""

from __future__ import annotations

import click

from kbtools.cli.commands.common import knowledge_base


@click.group()
def experiments() -> None:
    """A/B tests of articles and auto-replies declared in front-matter (see docs/writers.md)."""


@experiments.command()
@click.argument("experiment_id", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "md", "json"]), default="text", show_default=True)
@click.pass_context
def report(ctx: click.Context, experiment_id: str | None, fmt: str) -> None:
    """Per variant: exposures, conversions, the rate with its 95% interval, the difference from the control
    with its interval and p value, and a verdict once every variant has the declared minimum sample
    ("collecting" before). Reads the database `kb serve` uses."""
    from kbtools.analytics import experiments as reports
    from kbtools.analytics.store import connect, migrate
    from kbtools.model.errors import UsageError
    from kbtools.model.experiments import experiments as declared
    from kbtools.service import resolve_settings

    kb = knowledge_base(ctx)
    found = [e for e in declared(kb.load()) if experiment_id is None or e.id == experiment_id]
    if experiment_id is not None and not found:
        raise UsageError(f"no valid experiment {experiment_id!r} is declared (run 'kb lint' to see why)")
    settings = resolve_settings({"root": str(kb.root)})
    engine = connect(settings["database_url"])
    migrate(engine)
    results = [reports.report(engine, e) for e in found]
    render = {"text": reports.render_text, "md": reports.render_markdown, "json": reports.render_json}[fmt]
    click.echo(render(results), nl=False)


@experiments.command()
@click.argument("experiment_id")
@click.option("--keep", required=True, help="The variant whose body the page keeps.")
@click.option("--lang", help="The language folder, when the experiment runs in several.")
@click.pass_context
def stop(ctx: click.Context, experiment_id: str, keep: str, lang: str | None) -> None:
    """End an experiment: the canonical file keeps VARIANT's body and loses its declaration; the variant files
    are deleted. Refused when content/ has uncommitted changes; commit the result."""
    from kbtools.workflows.experiment_files import stop as stop_experiment

    kb = knowledge_base(ctx)
    stopped = stop_experiment(kb.root, kb.load(), experiment_id, keep, lang)
    click.echo(f"Kept {stopped.kept} in {kb.relative(stopped.written)}")
    for path in stopped.deleted:
        click.echo(f"Deleted {kb.relative(path)}")


COMMANDS = [experiments]

"""Site commands: build."""

from __future__ import annotations

from pathlib import Path

import click

from kbtools.cli.commands.common import knowledge_base
from kbtools.model.vocabulary import AUDIENCES


@click.command()
@click.option(
    "--audience",
    type=click.Choice([*AUDIENCES, "all"]),
    default="all",
    show_default=True,
    help="Which site to build.",
)
@click.option("--strict", is_flag=True, help="Fail on any warning (broken link, missing anchor, lint warning).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder [site/].")
@click.option("--base-url", help="URL the sites are served from [mkdocs.yml site_url].")
@click.option(
    "--service-url",
    envvar="KB_SERVICE_URL",
    show_envvar=True,
    default="",
    help="Feedback service URL; no feedback widget when empty.",
)
@click.option(
    "--contact-url",
    envvar="KB_CONTACT_URL",
    show_envvar=True,
    default="",
    help="Target of the 'Contact support' link on public articles.",
)
@click.pass_context
def build(
    ctx: click.Context,
    audience: str,
    strict: bool,
    out_dir: Path | None,
    base_url: str | None,
    service_url: str,
    contact_url: str,
) -> None:
    """Build the public help center (site/public) and the internal agent wiki (site/internal)."""
    from kbtools.workflows.lint import lint as run_lint
    from kbtools.workflows.lint.formats import render
    from site_plugins.build import BuildOptions, build_sites, ignored_settings, load_base_config

    kb = knowledge_base(ctx)
    report = run_lint(kb)
    if report.findings:
        click.echo(render(report, "text", kb.root), err=True)
    if report.failed(strict):
        raise click.ClickException("content checks failed; fix the findings above (kb lint) and build again")
    options = BuildOptions(
        audiences=AUDIENCES if audience == "all" else (audience,),
        out_dir=out_dir,
        strict=strict,
        base_url=base_url,
        service_url=service_url,
        contact_url=contact_url,
    )
    if not service_url:
        click.echo(
            "kb: note: no service URL (--service-url or KB_SERVICE_URL): no feedback widget or event logging, and "
            "the wiki's search page cannot search. Sites served by kb serve use '/'.",
            err=True,
        )
    ignored = ignored_settings(load_base_config(kb))
    if ignored:
        # Another plugin could copy internal pages into the public site: kb decides what runs.
        click.echo(f"kb: note: mkdocs.yml {', '.join(ignored)} not used; kb build sets them itself", err=True)
    result = build_sites(kb, options)
    from search import build_index

    indexed = build_index(kb)
    for site_build in result.builds:
        click.echo(f"  {site_build.audience:<9} {', '.join(site_build.langs)}: {site_build.seconds:.1f} s")
    for name, path in result.sites.items():
        shown = path.relative_to(kb.root) if path.is_relative_to(kb.root) else path
        click.echo(f"Built the {name} site in {shown}/")
    if indexed.incremental:  # only pages changed since the last index were indexed again
        click.echo(
            f"Updated the agent search index of {indexed.documents} pages "
            f"({indexed.written} indexed again, {indexed.removed} removed) in {indexed.seconds:.2f} s."
        )
    else:
        click.echo(f"Indexed {indexed.documents} pages for agent search in {indexed.seconds:.1f} s.")
    click.echo(f"Done in {result.seconds:.1f} s.")


COMMANDS = [build]

"""Checks across files: ids, translations, links between pages and `related`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kbtools.governance.codeowners import stale_section
from kbtools.governance.translations import State, moved_hint, translation_state
from kbtools.model.autoreplies import is_autoreply, template_key
from kbtools.model.content import ContentSet, Document
from kbtools.model.experiments import check as check_experiments
from kbtools.model.experiments import is_variant
from kbtools.model.findings import Finding
from kbtools.model.history import ContentHistory
from kbtools.model.links import LinkError, resolve
from kbtools.model.project import MKDOCS_FILE
from kbtools.model.publishing import shows_source_instead
from kbtools.model.symlinks import Symlink, tree_symlinks, within
from kbtools.model.taxonomy import Taxonomy
from kbtools.model.vocabulary import Audience
from kbtools.model.yamlsource import YamlLimitError
from kbtools.workflows.buildconfig import check_config
from kbtools.workflows.lint.file_checks import finding
from kbtools.workflows.lint.import_checks import site_absolute_hint
from kbtools.workflows.lint.rules import RULES

_MIRRORED_KEYS = ("type", "audience", "category")


def check_tree(content: ContentSet, taxonomy: Taxonomy) -> Iterator[Finding]:
    yield from _duplicate_ids(content)
    yield from _translations(content, taxonomy)
    yield from _experiments(content)
    yield from _autoreply_templates(content)
    for doc in content:
        yield from _links(doc, content, taxonomy)
        yield from _related(doc, content, taxonomy)


def _duplicate_ids(content: ContentSet) -> Iterator[Finding]:
    first: dict[tuple[str, str], Document] = {}
    for doc in content:
        if not doc.id or is_variant(doc):  # a variant keeps its page's id (the experiment check holds that)
            continue
        original = first.setdefault((doc.lang, doc.id), doc)
        if original is not doc:
            yield finding(
                doc,
                "duplicate-id",
                f"id '{doc.id}' is already used by {original.lang}/{original.rel}",
                doc.line_of("id"),
                "id",
            )


def _experiments(content: ContentSet) -> Iterator[Finding]:
    for problem in check_experiments(content):
        yield finding(problem.doc, "experiment", problem.message, problem.line, problem.key)


def _autoreply_templates(content: ContentSet) -> Iterator[Finding]:
    """One published template per language and case reason (and one default): the endpoint picks by that key."""
    first: dict[tuple[str, str | None], Document] = {}
    for doc in content:
        if not is_autoreply(doc) or not doc.is_published or is_variant(doc):  # a variant is its template's
            continue
        key = template_key(doc)
        original = first.setdefault((doc.lang, key), doc)
        if original is not doc:
            what = f"case reason '{key}'" if key else "no case reason (the default template)"
            yield finding(
                doc,
                "autoreply-template",
                f"{original.lang}/{original.rel} is already the auto-reply for {what}",
                doc.line_of("case_reason") if key else doc.line_of("type"),
                "case_reason" if key else "type",
            )


def _translations(content: ContentSet, taxonomy: Taxonomy) -> Iterator[Finding]:
    default = taxonomy.default_language
    for doc in content:
        if doc.lang == default:
            if doc.is_public and doc.is_published and not is_variant(doc):  # translations follow the canonical
                for lang in taxonomy.language_codes[1:]:
                    if taxonomy.is_launched(lang) and content.get(lang, doc.rel) is None:
                        stayed = content.misplaced_counterpart(doc, lang)
                        hint = f"; {moved_hint(lang, stayed.rel, doc.rel)}" if stayed else ""
                        yield finding(
                            doc,
                            "missing-translation",
                            f"no {_language_name(taxonomy, lang)} translation ({lang}/{doc.rel}){hint}",
                            1,
                        )
            continue
        source = content.source_of(doc)
        if source is None:
            moved = content.misplaced_counterpart(doc, default)
            hint = f": {moved_hint(doc.lang, doc.rel, moved.rel)}" if moved else " to translate from"
            yield finding(doc, "orphan-translation", f"no source file {default}/{doc.rel}{hint}", 1)
            continue
        if doc.id != source.id:
            yield finding(
                doc,
                "translation-id",
                f"id '{doc.id}' differs from the source's id '{source.id}' "
                f"({default}/{doc.rel}); translations keep the source id",
                doc.line_of("id"),
                "id",
            )
        for key in _MIRRORED_KEYS:
            if key in doc.meta and doc.meta.get(key) != source.meta.get(key):
                yield finding(
                    doc,
                    "translation-mismatch",
                    f"{key} is {doc.meta.get(key)!r} but the source says {source.meta.get(key)!r}",
                    doc.line_of(key),
                    key,
                )


def _language_name(taxonomy: Taxonomy, code: str) -> str:
    return next((language.name for language in taxonomy.languages if language.code == code), code)


def _links(doc: Document, content: ContentSet, taxonomy: Taxonomy) -> Iterator[Finding]:
    for link in doc.outline.links:
        try:
            target = resolve(doc.rel, link.target)
        except LinkError as exc:
            hint = f"; {site_absolute_hint(doc, link.target, content)}" if link.target.startswith("/") else ""
            yield finding(doc, "broken-link", f"link '{link.target}' {exc}{hint}", link.line)
            continue
        if target is None:
            continue
        if not target.is_page:
            if not (doc.path.parent / Path(link.target.partition("#")[0])).exists():
                yield finding(doc, "broken-link", f"link '{link.target}': no such file", link.line)
            continue
        page = doc if not target.rel else content.get(doc.lang, target.rel)
        source = content.get(taxonomy.default_language, target.rel) if target.rel else None
        translation = page is not None and page is not doc and page is not source
        if translation and source is not None and shows_source_instead(content, source, doc.lang):
            page = None  # a draft translation: the site links the source page, as for no translation
        if page is None:
            if doc.lang != taxonomy.default_language and content.get(taxonomy.default_language, target.rel):
                if not taxonomy.is_launched(doc.lang):  # a market in preparation: kb readiness lists these
                    continue
                yield finding(
                    doc,
                    "untranslated-link",
                    f"link '{link.target}': {target.rel} has no {doc.lang} translation yet",
                    link.line,
                )
            else:
                yield finding(doc, "broken-link", f"link '{link.target}': no page {doc.lang}/{target.rel}", link.line)
            continue
        if target.anchor and target.anchor not in page.outline.anchors:
            known = ", ".join(sorted(page.outline.anchors)) or "none"
            yield finding(
                doc,
                "broken-anchor",
                f"link '{link.target}': {page.rel or 'this page'} has no heading '#{target.anchor}' (anchors: {known})",
                link.line,
            )
        if doc.is_public and not link.in_agent_block and page.audience == Audience.INTERNAL:
            yield finding(
                doc,
                "public-links-internal",
                f"public page links to internal page {page.rel}; move the link into an agent-only block "
                "(!!! agent) or link to public content",
                link.line,
            )
        if doc.is_published and not page.is_published:
            yield finding(
                doc,
                "link-unpublished",
                f"link '{link.target}': {page.rel} is {page.status}, so it is not built",
                link.line,
            )


def _related(doc: Document, content: ContentSet, taxonomy: Taxonomy) -> Iterator[Finding]:
    for index, related_id in enumerate(doc.related):
        page = content.by_id.get((doc.lang, related_id))
        line = doc.line_of("related", str(index))
        if page is None and doc.lang != content.default_language:
            # Not translated yet: the site lists the source-language page, as it shows it.
            page = content.by_id.get((content.default_language, related_id))
            if page is not None and taxonomy.is_launched(doc.lang):
                message = f"related '{related_id}' has no {doc.lang} translation yet"
                yield finding(doc, "untranslated-link", message, line, "related")
        if page is None:
            yield finding(doc, "unknown-related", f"no {doc.lang} page has id '{related_id}'", line, "related")
        elif doc.is_public and page.audience == Audience.INTERNAL:
            yield finding(
                doc,
                "public-links-internal",
                f"public page lists internal page '{related_id}' as related",
                line,
                "related",
            )


def tracked_translations(content: ContentSet) -> list[Document]:
    """Translations that name the source commit they were made from (only these need git history)."""
    return [doc for doc in content if doc.lang != content.default_language and doc.source_commit]


def check_translation_freshness(content: ContentSet, history: ContentHistory) -> Iterator[Finding]:
    """Translations whose source changed after their source_commit: the rule behind the site's banner."""
    for doc in tracked_translations(content):
        state = translation_state(content, history, doc.rel, doc.lang)
        if state.state is State.OUTDATED:
            yield finding(
                doc,
                "outdated-translation",
                f"{state.describe(content.default_language)}; update the translation, then run "
                f"'kb translations mark {doc.id or doc.rel} --lang {doc.lang}'",
                doc.line_of("source_commit"),
                "source_commit",
            )


def unchecked_freshness(content: ContentSet, history: ContentHistory) -> list[str]:
    """Why some translations could not be checked for freshness: no git, or a shallow clone's short history."""
    if not history.is_repository:
        return ["not a git repository with commits: translations were not checked for outdated sources"]
    unknown = [doc for doc in tracked_translations(content) if history.resolve(doc.source_commit or "") is None]
    if not unknown:
        return []
    where = "this shallow clone's history" if history.shallow else "the history"
    fetch = " (git fetch --unshallow)" if history.shallow else ""
    return [
        f"{len(unknown)} {'translation names' if len(unknown) == 1 else 'translations name'} a source_commit "
        f"that is not in {where}: "
        f"not checked for outdated sources{fetch}; see kb translations"
    ]


def check_codeowners(root: Path, content: ContentSet, taxonomy: Taxonomy) -> Iterator[Finding]:
    stale = stale_section(root, content, taxonomy)
    if stale is None:
        return
    rule = RULES["codeowners-outdated"]
    yield Finding(
        stale.path,
        stale.line,
        rule.name,
        f"kb's section no longer matches the owners in front-matter (rules missing: {stale.missing}, "
        f"no longer wanted: {stale.extra}); run 'kb codeowners' and commit the file",
        rule.severity,
    )


def check_symlinks(root: Path, content: ContentSet) -> Iterator[Finding]:
    """Every symbolic link kb would read or publish, with its target and the pages that link to it."""
    links = tree_symlinks(root)
    if not links:
        return
    linked_from: dict[Path, list[str]] = {link.path: [] for link in links}
    for doc in content:
        for link in doc.outline.links:
            target = link.target.partition("#")[0].partition("?")[0]
            if not target or "://" in target or target.startswith(("/", "mailto:")):
                continue
            path = doc.path.parent / target
            for symlink in links:
                if within(path, symlink):
                    linked_from[symlink.path].append(f"{root_relative(root, doc.path)}:{link.line}")
    rule = RULES["symlink"]
    for symlink in links:
        yield Finding(symlink.path, 1, rule.name, _symlink_message(symlink, linked_from[symlink.path]), rule.severity)


def _symlink_message(symlink: Symlink, pages: list[str]) -> str:
    kind = "a folder" if symlink.is_dir else ("nothing (a broken link)" if not symlink.path.exists() else "a file")
    where = f"; linked from {', '.join(pages)}" if pages else ""
    return (
        f"symbolic link to {symlink.target} ({kind}): kb reads and publishes no links; put the file itself here "
        f"or link to the page it points to{where}"
    )


def root_relative(root: Path, path: Path) -> str:
    try:
        return (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def check_mkdocs_yml(root: Path) -> Iterator[Finding]:
    """mkdocs.yml settings a pull request may not change, by the declaration `kb build` enforces."""
    for problem in check_config(root / MKDOCS_FILE):
        rule = RULES["yaml-limit" if isinstance(problem, YamlLimitError) else "mkdocs-config"]
        yield Finding(problem.path, problem.line or 1, rule.name, problem.message, rule.severity, problem.key)

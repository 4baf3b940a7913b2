"""`kb lint`: every problem in a knowledge base, each with its file, line and key."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kbtools.model.content import ContentSet
from kbtools.model.errors import ContentError
from kbtools.model.findings import Finding, Severity
from kbtools.model.project import KnowledgeBase
from kbtools.model.taxonomy import TaxonomyError
from kbtools.model.yamlsource import YamlLimitError
from kbtools.workflows.lint.file_checks import check_file
from kbtools.workflows.lint.import_checks import check_aliases, check_foreign_syntax
from kbtools.workflows.lint.rules import RULES, Rule
from kbtools.workflows.lint.site_checks import check_featured, check_reserved_paths
from kbtools.workflows.lint.string_checks import check_site_strings
from kbtools.workflows.lint.synonym_checks import check_synonyms
from kbtools.workflows.lint.tree_checks import (
    check_codeowners,
    check_mkdocs_yml,
    check_symlinks,
    check_translation_freshness,
    check_tree,
    tracked_translations,
    unchecked_freshness,
)

__all__ = ["RULES", "LintReport", "Rule", "lint"]


@dataclass
class LintReport:
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))


def lint(kb: KnowledgeBase, paths: Iterable[Path] = (), today: date | None = None) -> LintReport:
    """Check the whole knowledge base; report findings only for files under `paths` (all when empty).

    The whole tree is always read, because links, ids and translations are checked across files.
    """
    today = today or date.today()
    # Untrusted files of any pull request: links and mkdocs.yml are checked whatever else is wrong
    untrusted = list(check_mkdocs_yml(kb.root))
    try:
        taxonomy = kb.taxonomy
    except TaxonomyError as exc:
        problems = [
            Finding(p.path, p.line or 1, _yaml_rule(p, "taxonomy-file"), p.message, Severity.ERROR, p.key)
            for p in exc.problems
        ]
        if kb.content_dir.is_dir():
            problems.extend(check_symlinks(kb.root, ContentSet([])))
        return LintReport(sorted(untrusted + problems), files_checked=1)
    findings: list[Finding] = untrusted
    notes: list[str] = []
    languages = set(taxonomy.language_codes)
    files = kb.content_files()
    for item in files:
        if item.lang not in languages:
            folder = item.lang or "content/ itself"
            findings.append(
                Finding(
                    item.path,
                    1,
                    "unknown-language",
                    f"'{folder}' is not a language folder; languages: {', '.join(sorted(languages))}",
                )
            )
    content = kb.load(jobs=os.cpu_count() or 1)
    for problem in content.unreadable:
        findings.append(
            Finding(
                problem.path, problem.line or 1, _yaml_rule(problem, "yaml-syntax"), problem.message, key=problem.key
            )
        )
    for doc in content:
        findings.extend(check_file(doc, taxonomy, today))
        findings.extend(check_foreign_syntax(doc))
    findings.extend(check_aliases(content))
    findings.extend(check_tree(content, taxonomy))
    findings.extend(check_featured(content, taxonomy))
    findings.extend(check_reserved_paths(content, taxonomy))
    findings.extend(check_symlinks(kb.root, content))
    if tracked_translations(content):  # one `git log` pass, only when a translation names its source commit
        from kbtools.model.history import read_history

        history = read_history(kb.root)
        findings.extend(check_translation_freshness(content, history))
        notes.extend(unchecked_freshness(content, history))
    findings.extend(check_codeowners(kb.root, content, taxonomy))
    findings.extend(check_synonyms(kb, content, taxonomy))
    findings.extend(check_site_strings(kb.root, taxonomy))
    selected = [p.resolve() for p in paths]
    if selected and kb.taxonomy_path.resolve() not in selected:  # a taxonomy change can break any file
        findings = [f for f in findings if _under(f.path.parent.resolve() / f.path.name, selected)]
    return LintReport(sorted(findings), files_checked=len(files), notes=notes)


def _yaml_rule(problem: ContentError, default: str) -> str:
    return problem.rule if isinstance(problem, YamlLimitError) else default


def _under(path: Path, selected: list[Path]) -> bool:
    return any(path == s or s in path.parents for s in selected)

"""The interface strings of the sites (kbtools.model.site_strings): every declared language has all of them, and a
knowledge base's strings files set only the keys kb declares."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kbtools.model.findings import Finding, Severity
from kbtools.model.site_strings import SiteStrings
from kbtools.model.taxonomy import Taxonomy


def check_site_strings(kb_root: Path, taxonomy: Taxonomy) -> Iterator[Finding]:
    where = {code: (taxonomy.path, taxonomy.language_lines.get(code, 1)) for code in taxonomy.language_codes}
    for problem in SiteStrings(kb_root).problems(taxonomy.language_codes, where):
        if problem.missing:
            yield Finding(problem.path, problem.line, "missing-site-string", problem.message, Severity.WARNING)
        else:
            yield Finding(problem.path, problem.line, "site-strings-file", problem.message, key=problem.key)

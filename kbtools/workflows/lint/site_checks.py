"""Checks of what the sites are built from beside the pages: the home page's featured list, and content at a
path the build generates itself."""

from __future__ import annotations

from collections.abc import Iterator

from kbtools.model.content import ContentSet
from kbtools.model.findings import Finding
from kbtools.model.publishing import is_visible
from kbtools.model.taxonomy import Taxonomy
from kbtools.model.urls import first_segment, reserved_paths
from kbtools.model.vocabulary import Audience
from kbtools.workflows.lint.file_checks import finding


def check_featured(content: ContentSet, taxonomy: Taxonomy) -> Iterator[Finding]:
    """Each `featured` id names a public, published page of the default language (the home page links it)."""
    default = taxonomy.default_language
    for page_id, line in taxonomy.featured:
        doc = content.by_id.get((default, page_id))
        if doc is None:
            problem = f"no page in {default!r} has the id {page_id!r}"
        elif not doc.is_published:
            problem = f"{page_id!r} is not published ({doc.status}): the home page would link a page not built"
        elif not is_visible(doc, Audience.PUBLIC, taxonomy):
            problem = f"{page_id!r} is internal: the help center does not publish it"
        else:
            continue
        yield Finding(taxonomy.path, line or 1, "featured-page", problem, key="featured")


def check_reserved_paths(content: ContentSet, taxonomy: Taxonomy) -> Iterator[Finding]:
    """No category or page where the build writes a page or file of its own (kbtools.model.urls.GENERATED_PATHS)."""
    reserved = reserved_paths(taxonomy.language_codes)
    source = taxonomy.path
    for category in taxonomy.categories:
        if category in reserved:
            yield Finding(
                source,
                taxonomy.category_lines.get(category) or 1,
                "reserved-path",
                f"category {category!r} would be published at {category}/, where the build writes its own "
                f"pages; reserved: {', '.join(sorted(reserved))}",
                key=f"categories.{category}",
            )
    for doc in content:
        segment = first_segment(doc.rel)
        if segment in reserved or doc.rel == "index.md":  # index.md: the home page kb generates
            where = f"{segment}/" if segment else "the site's home page"
            yield finding(
                doc,
                "reserved-path",
                f"published at {where}, where the build writes its own pages; move the file (reserved: "
                f"{', '.join(sorted(reserved))})",
            )

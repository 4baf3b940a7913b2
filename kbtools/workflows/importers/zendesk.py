"""Zendesk Guide (Help Center API) exports: articles, their translations, sections and categories.

Reads JSON files as the API returns them: list pages (`{"articles": [...], "next_page": ...}`, likewise
`sections`, `categories`, `translations`, `user_segments`) and "show" answers (`{"article": {...}}`), from
one file or every *.json under a folder. An article's versions in several locales share its `id` (list
endpoints per locale), or come as `translations` (sideloaded, or a list whose items name the article in
`source_id`).

Mapping: a section becomes a kb category (labels per language from the section's names), labels become tags
(or keywords), locales become `content/<lang>/` with the source article's id in every language, an article
visible only to a staff user segment becomes `audience: internal`, `position` becomes `order`, the article's
URL becomes an alias, and links between articles become relative .md links.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from kbtools.model.errors import UsageError
from kbtools.model.markdown import outline, slugify
from kbtools.model.schema import alias_path
from kbtools.model.vocabulary import Audience, Status
from kbtools.workflows.importers.html import html_to_markdown
from kbtools.workflows.importers.model import CategoryEntry, ImportedPage, ImportSet, Note

TITLE_LIMIT = 120
_ARTICLE_LINK = re.compile(
    r"^(?:https?://(?P<host>[^/]+))?/hc/(?:(?P<locale>[A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)/)?articles/(?P<id>\d+)"
    r"(?:-[^/?#]*)?/?(?:\?[^#]*)?(?:#(?P<anchor>.*))?$"
)
_PLACEHOLDER = re.compile(r"kbimport:(\d+)(?:#([^)\s]*))?")


@dataclass
class ZendeskOptions:
    labels_as: str = "tags"  # or "keywords"
    internal_segments: set[int] = field(default_factory=set)  # user segments that mean "agents only"
    locale_map: dict[str, str] = field(default_factory=dict)  # zendesk locale -> kb language
    content_type: str = "article"


@dataclass
class _Record:
    """One locale's version of an article, section or category."""

    data: dict[str, Any]
    file: str


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it: {exc.strerror}") from None


class _Export:
    """Every record of the export, by kind and id, then by locale."""

    def __init__(self, files: list[Path]):
        self.articles: dict[int, dict[str, _Record]] = {}
        self.sections: dict[int, dict[str, _Record]] = {}
        self.categories: dict[int, dict[str, _Record]] = {}
        self.staff_segments: set[int] = set()
        self.hosts: list[str] = []
        self.problems: list[str] = []
        self.pending: list[tuple[dict[str, Any], str]] = []
        for path in files:
            data = _load_json(path)
            if not isinstance(data, dict):
                raise UsageError(f'{path}: expected a JSON object such as {{"articles": [...]}}')
            self._read(data, path.name)
        tables = {"Article": self.articles, "Section": self.sections, "Category": self.categories}
        for item, file in self.pending:
            table = tables.get(str(item.get("source_type", "Article")))
            versions = table.get(item.get("source_id")) if table is not None else None  # type: ignore[arg-type]
            if not versions:
                self.problems.append(f"{file}: translation {item.get('id')} names unknown {item.get('source_id')}")
                continue
            source = next(iter(versions.values())).data  # section, labels, segment, position: shared
            self._add(
                table,  # type: ignore[arg-type]  # not None: it holds versions
                {**source, **item, "name": item.get("title") or source.get("name"), "id": item["source_id"]},
                file,
            )

    def _items(self, data: dict[str, Any], plural: str, singular: str, file: str) -> list[dict[str, Any]]:
        items = data.get(plural) or []
        if singular in data:
            items = [*items, data[singular]]
        if not isinstance(items, list):
            raise UsageError(f"{file}: '{plural}' must be a list")
        return [item for item in items if isinstance(item, dict)]

    def _read(self, data: dict[str, Any], file: str) -> None:
        for item in self._items(data, "articles", "article", file):
            self._add(self.articles, item, file)
            for translation in item.get("translations") or []:
                if isinstance(translation, dict):
                    self._add(self.articles, {**item, **translation, "id": item.get("id")}, file)
        # The translations endpoint: each item names its article (or section, category) in source_id; read
        # once every file is in, whatever the files' order
        self.pending.extend((item, file) for item in self._items(data, "translations", "translation", file))
        for item in self._items(data, "sections", "section", file):
            self._add(self.sections, item, file)
        for item in self._items(data, "categories", "category", file):
            self._add(self.categories, item, file)
        for item in self._items(data, "user_segments", "user_segment", file):
            if item.get("user_type") == "staff" and isinstance(item.get("id"), int):
                self.staff_segments.add(item["id"])

    def _add(self, table: dict[int, dict[str, _Record]], item: dict[str, Any], file: str) -> None:
        item_id, locale = item.get("id"), item.get("locale")
        if not isinstance(item_id, int) or not isinstance(locale, str):
            self.problems.append(f"{file}: an item without a numeric 'id' and a 'locale' was skipped")
            return
        table.setdefault(item_id, {})[locale.lower()] = _Record(item, file)
        url = item.get("html_url")
        if isinstance(url, str) and urlparse(url).netloc and urlparse(url).netloc not in self.hosts:
            self.hosts.append(urlparse(url).netloc)


def export_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise UsageError(f"{path}: no such file or folder")
    files = sorted(p for p in path.rglob("*.json") if p.is_file() and not p.is_symlink())
    if not files:
        raise UsageError(f"{path}: no .json files (expected the Help Center API's answers)")
    return files


def read_zendesk(
    path: Path,
    languages: list[str],
    taken_ids: set[str],
    today: date,
    owner: str,
    options: ZendeskOptions | None = None,
    progress: Callable[[list[Any]], Any] = lambda items: items,
    previous: dict[str, dict[str, str]] | None = None,
) -> ImportSet:
    """The pages and taxonomy entries of the export at `path` for a knowledge base in `languages`."""
    options = options or ZendeskOptions()
    export = _Export(export_files(path))
    result = ImportSet("zendesk")
    result.notes.extend(_note("export-problem", p) for p in export.problems)
    default = languages[0]
    host = export.hosts[0] if export.hosts else ""
    internal_segments = options.internal_segments | export.staff_segments

    def lang_of(locale: str) -> str | None:
        if locale in options.locale_map:
            return options.locale_map[locale]
        for candidate in (locale, locale.split("-")[0]):
            if candidate in languages:
                return candidate
        return None

    skipped_locales: dict[str, int] = {}

    def by_lang(records: dict[str, _Record]) -> dict[str, _Record]:
        found: dict[str, _Record] = {}
        for locale, record in sorted(records.items()):
            lang = lang_of(locale)
            if lang is None:
                skipped_locales[locale] = skipped_locales.get(locale, 0) + 1
            elif lang not in found or locale == lang:
                found[lang] = record
        return found

    categories = _categories(export, by_lang, default, result)
    # Pages first without bodies: ids, paths and audiences are needed to rewrite links between articles
    planned: dict[int, dict[str, ImportedPage]] = {}
    audience_of: dict[int, str] = {}
    for article_id, records in sorted(export.articles.items(), key=lambda item: _position(item[1])):
        versions = by_lang(records)
        source = versions.get(default)
        if source is None:
            result.notes.append(
                _note("no-source-version", f"article {article_id} has no {default} version: not imported")
            )
            continue
        data = source.data
        category = categories.get(data.get("section_id"), "imported")  # type: ignore[arg-type]
        if category == "imported" and not any(c.id == "imported" for c in result.categories):
            labels = {lang: "Imported articles" for lang in languages}
            result.categories.append(CategoryEntry("imported", labels))
        record = (previous or {}).get(f"zendesk:{article_id}:{default}")
        if record and record.get("id") and record.get("rel"):  # imported before: same id and path
            page_id, rel = record["id"], record["rel"]
        else:
            page_id = _unique_id(slugify(str(data.get("title") or "")), article_id, taken_ids)
            rel = f"{category}/{page_id}.md"
        audience = (
            Audience.INTERNAL.value if data.get("user_segment_id") in internal_segments else Audience.PUBLIC.value
        )
        audience_of[article_id] = audience
        tags = _labels(data.get("label_names"))
        planned[article_id] = {}
        for lang, version in versions.items():
            planned[article_id][lang] = _page(
                article_id, lang, version, page_id, rel, category, audience, tags, owner, today, options, result
            )
    for versions in progress(list(planned.values())):
        for page in versions.values():
            _convert_body(page, planned, audience_of, host, result)
    _rewrite_links(planned, audience_of, result)
    for entry in result.categories:  # a section only agents could see is an internal-only category
        audiences = {
            audience_of[a]
            for a, versions in planned.items()
            for p in versions.values()
            if p.meta["category"] == entry.id
        }
        if audiences == {Audience.INTERNAL}:
            entry.audience = Audience.INTERNAL.value
    for locale, count in sorted(skipped_locales.items()):
        result.notes.append(
            _note(
                "skipped-locale",
                f"{count} items in locale '{locale}', not a language of this "
                "knowledge base: not imported (add the language to taxonomy.yml to import them)",
            )
        )
    result.pages = [page for versions in planned.values() for page in versions.values()]
    result.counts["articles"] = len(planned)
    result.counts["translations"] = sum(len(v) - 1 for v in planned.values())
    result.counts["categories"] = len(result.categories)
    return result


def _note(kind: str, message: str) -> Note:
    return Note(kind, message)


def _position(records: dict[str, _Record]) -> tuple[int, int]:
    data = next(iter(records.values())).data
    position = data.get("position")
    return (position if isinstance(position, int) else 0, data.get("id") or 0)


def _unique_id(slug: str, article_id: int, taken: set[str]) -> str:
    slug = slug[:80].strip("-") or f"article-{article_id}"
    chosen = slug if slug not in taken else f"{slug}-{article_id}"
    taken.add(chosen)
    return chosen


def _labels(value: Any) -> list[str]:
    return [str(label) for label in value if str(label).strip()] if isinstance(value, list) else []


def _categories(export: _Export, by_lang, default: str, result: ImportSet) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """Zendesk section id -> kb category id; one kb category per section, in the help center's order."""
    zendesk_categories = {cid: by_lang(records) for cid, records in export.categories.items()}

    def category_key(item: tuple[int, dict[str, _Record]]) -> tuple[int, int, int]:
        data = next(iter(item[1].values())).data
        parent = zendesk_categories.get(data.get("category_id"), {})  # type: ignore[arg-type]
        parent_data = next(iter(parent.values())).data if parent else {}
        return (parent_data.get("position") or 0, data.get("position") or 0, item[0])

    mapping: dict[int, str] = {}
    used: set[str] = set()
    for section_id, records in sorted(export.sections.items(), key=category_key):
        versions = by_lang(records)
        if not versions:
            continue
        source = versions.get(default) or next(iter(versions.values()))
        category_id = slugify(str(source.data.get("name") or "")) or f"section-{section_id}"
        if category_id in used:
            parent = zendesk_categories.get(source.data.get("category_id"), {})
            parent_name = next(iter(parent.values())).data.get("name", "") if parent else ""
            category_id = f"{slugify(str(parent_name))}-{category_id}".strip("-")
            if category_id in used:
                category_id = f"{category_id}-{section_id}"
        used.add(category_id)
        mapping[section_id] = category_id
        labels = {lang: str(r.data.get("name") or "").strip() for lang, r in versions.items() if r.data.get("name")}
        descriptions = {
            lang: " ".join(str(r.data.get("description")).split())
            for lang, r in versions.items()
            if r.data.get("description")
        }
        result.categories.append(CategoryEntry(category_id, labels, descriptions))
    return mapping


def _page(
    article_id: int,
    lang: str,
    record: _Record,
    page_id: str,
    rel: str,
    category: str,
    audience: str,
    tags: list[str],
    owner: str,
    today: date,
    options: ZendeskOptions,
    result: ImportSet,
) -> ImportedPage:
    data = record.data
    title = " ".join(str(data.get("title") or page_id).split())
    url = str(data.get("html_url") or "")
    page = ImportedPage(f"zendesk:{article_id}:{lang}", lang, rel, {}, "", url or record.file)
    if len(title) > TITLE_LIMIT:
        page.note("title-shortened", f"title shortened to {TITLE_LIMIT} characters (was {len(title)})")
        title = title[: TITLE_LIMIT - 1].rstrip() + "…"
    meta: dict[str, Any] = {
        "id": page_id,
        "title": title,
        "type": options.content_type,
        "audience": audience,
        "status": Status.DRAFT.value if data.get("draft") else Status.PUBLISHED.value,
        "category": category,
    }
    tag_ids = [slugify(tag) for tag in tags if slugify(tag)]
    if options.labels_as == "tags" and tag_ids:
        meta["tags"] = list(dict.fromkeys(tag_ids))
        for tag, tag_id in zip(tags, tag_ids, strict=False):
            result.tags.setdefault(tag_id, {})
            result.tags[tag_id].setdefault(lang, tag)
    meta["owner"] = owner
    meta["reviewed"] = today  # imported content counts as reviewed on the day of the import
    if options.labels_as == "keywords" and tags:
        meta["keywords"] = tags
    if isinstance(data.get("position"), int):
        meta["order"] = max(0, data["position"])
    alias = alias_path(urlparse(url).path) if url else ""
    if alias:  # Zendesk answers both /hc/<locale>/articles/<id>-<slug> and /hc/<locale>/articles/<id>
        meta["aliases"] = list(dict.fromkeys([alias, re.sub(r"(/articles/\d+)-[^/]*$", r"\1", alias)]))
    if data.get("outdated"):
        page.note("outdated-translation", "Zendesk marks this translation outdated: compare it with the source")
    if data.get("draft"):
        page.note("draft", "a draft in Zendesk: imported as status: draft")
    if data.get("promoted"):
        page.note("promoted", "promoted in Zendesk: kb has no promotion; consider a low `order`")
    page.meta = meta
    page.body = str(data.get("body") or "")  # HTML until _convert_body
    return page


def _convert_body(
    page: ImportedPage,
    planned: dict[int, dict[str, ImportedPage]],
    audience_of: dict[int, str],
    host: str,
    result: ImportSet,
) -> None:
    def rewrite(url: str, kind: str) -> str | None:
        url = url.strip()
        match = _ARTICLE_LINK.match(url)
        if kind == "link" and match and (not match.group("host") or match.group("host") == host):
            target = int(match.group("id"))
            anchor = match.group("anchor")
            if target in planned:
                return f"kbimport:{target}" + (f"#{anchor}" if anchor else "")
            page.note("unresolved-link", f"link to article {target}, which is not in the export: kept as {url}")
        if url.startswith("/") and not url.startswith("//"):
            if not host:
                page.note("unresolved-link", f"site-absolute link {url} and no host known: kept as text")
                return None
            full = f"https://{host}{url}"
            if kind == "link" and not match:
                page.note("unresolved-link", f"link {url} into the old help center: now {full}")
            url = full
        if kind == "image" and host and host in url:
            page.note("remote-image", f"image stays on the old help center: {url}")
        return url

    markdown, found = html_to_markdown(page.body, rewrite)
    page.body = markdown
    result.counts["callouts"] += found.callouts
    result.counts["images"] += len(found.images)
    result.counts["videos"] += len(found.videos)
    for tag in found.dropped:
        page.note("dropped-html", f"a <{tag}> element could not be converted and was left out")


def _rewrite_links(planned: dict[int, dict[str, ImportedPage]], audience_of: dict[int, str], result: ImportSet) -> None:
    """Replace `kbimport:<id>` placeholders with relative links, or with plain text where a link would be refused."""
    anchors: dict[tuple[int, str], set[str]] = {}
    for article_id, versions in planned.items():
        for lang, page in versions.items():
            anchors[(article_id, lang)] = outline(page.body).anchors
    for versions in planned.values():
        for lang, page in versions.items():

            def replace(match: re.Match[str], page: ImportedPage = page, lang: str = lang) -> str:
                target_id, anchor = int(match.group(1)), match.group(2) or ""
                target_lang = lang if lang in planned[target_id] else next(iter(planned[target_id]))
                target = planned[target_id][target_lang]
                if page.meta["audience"] == Audience.PUBLIC and target.meta["audience"] == Audience.INTERNAL:
                    page.note(
                        "link-removed",
                        f"link to internal article '{target.meta['id']}' removed from a "
                        "public page (only its text is kept)",
                    )
                    return "kbdrop:"
                if page.meta["status"] == Status.PUBLISHED and target.meta["status"] != Status.PUBLISHED:
                    page.note("link-removed", f"link to draft article '{target.meta['id']}' removed (text kept)")
                    return "kbdrop:"
                if target_lang != lang:
                    page.note("untranslated-link", f"links to '{target.meta['id']}', which has no {lang} version")
                if anchor and anchor not in anchors[(target_id, target_lang)]:
                    page.note("anchor-dropped", f"'{target.meta['id']}' has no heading '#{anchor}': linked to the page")
                    anchor = ""
                relative = posixpath.relpath(target.rel, posixpath.dirname(page.rel))
                result.counts["links rewritten"] += 1
                return relative + (f"#{anchor}" if anchor else "")

            body = _PLACEHOLDER.sub(replace, page.body)
            body = re.sub(r"\[([^\]]*)\]\(kbdrop:\)", r"\1", body)
            own = anchors[next(a for a, v in planned.items() if v.get(lang) is page), lang]

            def same_page(match: re.Match[str], page: ImportedPage = page, own: set[str] = own) -> str:
                # An <a name> or <a id> target inline is no heading: kb can only link to headings
                if match.group(2) in own:
                    return match.group(0)
                page.note("anchor-dropped", f"no heading '#{match.group(2)}' on the page: link removed")
                return match.group(1)

            page.body = re.sub(r"(?<!!)\[([^\]]*)\]\(#([^)\s]*)\)", same_page, body)

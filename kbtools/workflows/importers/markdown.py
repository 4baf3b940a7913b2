"""Markdown documentation sets (DocFX / Microsoft Learn, MkDocs, Docusaurus, Hugo, Jekyll) to kb pages.

Per page: front-matter through the mapping (presets.py), DocFX callouts, `:::image:::` blocks, `[!INCLUDE]`
snippets, Docusaurus `:::note` blocks, Liquid `{% link %}` and Hugo `{{< ref >}}` links converted; links inside
the set rewritten to the pages' new paths; site-absolute links resolved through the pages' published URLs (or
made full URLs on the old site); local images copied next to the page or, when missing, reduced to their text;
each page's original URL kept as an alias. Every file read stays inside DIR: no symbolic link is followed.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from kbtools.model.content import split_front_matter
from kbtools.model.errors import ContentError, UsageError
from kbtools.model.markdown import outline, parser, slugify
from kbtools.model.sanitize import ALLOWED_TAGS, SCRIPT_CAPABLE_TAGS
from kbtools.model.schema import alias_path
from kbtools.model.taxonomy import CONTENT_TYPES
from kbtools.model.urls import page_path
from kbtools.model.vocabulary import Audience, Status
from kbtools.model.yamlsource import load_yaml
from kbtools.workflows.importers.model import CategoryEntry, ImportedPage, ImportSet, Note
from kbtools.workflows.importers.presets import Mapping

TITLE_LIMIT, SUMMARY_LIMIT = 120, 300
_CALLOUT = re.compile(r"^(?P<indent>\s*)>\s*\[!(?P<kind>NOTE|TIP|IMPORTANT|CAUTION|WARNING)\]\s*$", re.IGNORECASE)
_CALLOUT_KINDS = {"note": "note", "tip": "tip", "important": "info", "caution": "warning", "warning": "danger"}
_COLON_OPEN = re.compile(
    r"^(?P<indent>\s*):::(?P<kind>note|tip|info|caution|warning|danger|important)\b\s*(?P<title>.*)$"
)
_COLON_KINDS = {
    "note": "note",
    "tip": "tip",
    "info": "info",
    "caution": "warning",
    "warning": "warning",
    "danger": "danger",
    "important": "info",
}
_IMAGE = re.compile(r":::image\s+(?P<attrs>.*?):::")
_IMAGE_END = re.compile(r"^\s*:::image-end:::\s*$")
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
_INCLUDE = re.compile(r"\[!INCLUDE\s*\[[^\]]*\]\(\s*([^)\s]+)\s*\)\s*\]", re.IGNORECASE)
_VIDEO = re.compile(r"^(?P<indent>\s*)(?:>\s*)?\[!VIDEO\s+(?P<url>\S+?)\s*\]\s*$", re.IGNORECASE)
_DIV = re.compile(r"^\s*>\s*\[!div\b[^\]]*\]\s*$", re.IGNORECASE)
_LIQUID_LINK = re.compile(r"\]\(\s*(?:\{\{\s*site\.baseurl\s*\}\})?\s*\{%\s*link\s+([^%\s]+)\s*%\}\s*\)")
_LIQUID_BASE = re.compile(r"\]\(\s*\{\{\s*site\.baseurl\s*\}\}")
_HUGO_REF = re.compile(r"\]\(\s*\{\{[<%]\s*(?:rel)?ref\s+\"?([^\"\s>%]+)\"?\s*[>%]\}\}\s*\)")
_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]]|\[[^\]]*\])*)\]\(\s*(?P<target><[^>\n]*>|(?:[^()\s]|\([^()\s]*\))+)(?P<title>\s+\"[^\"]*\")?\s*\)"
)
_ATTRIBUTE_LINE = re.compile(r"^\s*\{:\s*[^}]*\}\s*$")
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_INCLUDE_DEPTH = 5


@dataclass
class SourcePage:
    path: Path
    lang: str
    rel: str  # path under the language root, as in the source
    meta: dict[str, Any]
    body: str


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return not any(part.is_symlink() for part in [path, *path.parents] if part != root and root in part.parents)


def _excluded(rel: str, patterns: list[str]) -> bool:
    return any(
        fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel.rsplit("/", 1)[-1], pattern) for pattern in patterns
    )


def _read_source(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not text.lstrip("\ufeff").startswith("---"):
        return {}, text.lstrip("\ufeff")
    front, front_line, body, _ = split_front_matter(text, path)
    data = load_yaml(front, path, first_line=front_line).data
    return (data if isinstance(data, dict) else {}), body


def find_pages(root: Path, mapping: Mapping, languages: list[str], problems: list[Note]) -> list[SourcePage]:
    """Every page of the set, with its language and its path under that language's root."""
    docs = root / mapping.docs_dir if mapping.docs_dir and (root / mapping.docs_dir).is_dir() else root
    default = languages[0]
    folders = mapping.language_folders or {lang: lang for lang in languages}
    found: list[SourcePage] = []

    def add(path: Path, lang: str, rel: str) -> None:
        if _excluded(rel, mapping.exclude) or not _inside(path, root) or path.is_symlink():
            return
        try:
            meta, body = _read_source(path)
        except ContentError as exc:
            problems.append(Note("unreadable", str(exc)))
            return
        if str(meta.get("ms.topic", "")) == "include":
            return
        found.append(SourcePage(path, lang, rel, meta, body))

    files = sorted(p for p in docs.rglob("*") if p.suffix in (".md", ".mdx", ".markdown") and p.is_file())
    language_folders = {folder: lang for lang, folder in folders.items()}
    uses_folders = mapping.languages == "folder" and any((docs / f).is_dir() for f in language_folders)
    for path in files:
        rel = path.relative_to(docs).as_posix()
        if mapping.languages == "suffix":
            stem, _, ext = path.name.rpartition(".")
            base, _, suffix = stem.rpartition(".")
            lang = next((lang for lang, code in folders.items() if code == suffix), None) if base else None
            if lang is not None:
                add(path, lang, posixpath.join(posixpath.dirname(rel), f"{base}.{ext}").lstrip("./"))
                continue
            if base and suffix and len(suffix) <= 5 and suffix.isalpha():
                problems.append(Note("skipped-language", f"{rel}: language '{suffix}' is not one of this kb's"))
                continue
            add(path, default, rel)
        elif uses_folders:
            first, _, rest = rel.partition("/")
            if first in language_folders and rest:
                add(path, language_folders[first], rest)
        else:
            add(path, default, rel)
    if mapping.languages == "docusaurus":
        for lang in languages[1:]:
            i18n = root / "i18n" / folders.get(lang, lang) / "docusaurus-plugin-content-docs" / "current"
            for path in sorted(p for p in i18n.rglob("*") if p.suffix in (".md", ".mdx") and p.is_file()):
                add(path, lang, path.relative_to(i18n).as_posix())
    return found


def _published_url(page: SourcePage, mapping: Mapping) -> str:
    """The path the old site published `page` at (its alias), from the mapping's URL rules or its own keys."""
    own = _first(page.meta, mapping.keys.get("url", []))
    if isinstance(own, str) and own.strip():
        path = own.strip()
        if mapping.url_base and (mapping.url_key_relative or not path.startswith("/")):
            path = f"{mapping.url_base}/{path.lstrip('/')}"
        return alias_path(path)
    parts = [part for part in page.rel.split("/")[:-1] if part not in mapping.url_drop_folders]
    stem = page.rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem not in ("index", "README", "_index"):
        parts.append(stem)
    path = "/".join(filter(None, [mapping.url_base, *parts]))
    return alias_path(path)


def _first(meta: dict[str, Any], keys: list[str]) -> Any:
    for key in keys:
        if key in meta and meta[key] not in (None, "", []):
            return meta[key]
    return None


@dataclass
class _Planned:
    source: SourcePage
    page: ImportedPage
    url: str


def read_markdown_set(
    root: Path,
    mapping: Mapping,
    languages: list[str],
    taken_ids: set[str],
    today: date,
    owner: str,
    previous: dict[str, dict[str, str]] | None = None,
    progress: Callable[[list[Any]], Any] = lambda items: items,
) -> ImportSet:
    """The pages and categories of the set, and the local files (images...) it links to."""
    if not root.is_dir():
        raise UsageError(f"{root}: no such folder")
    result = ImportSet("markdown")
    sources = find_pages(root, mapping, languages, result.notes)
    default = languages[0]
    by_lang_rel = {(s.lang, s.rel): s for s in sources}
    # Translation pairs: the same path in each language, or the mapping's explicit pairs
    source_of: dict[tuple[str, str], tuple[str, str]] = {}
    for translated, original_path in mapping.translations.items():
        t_lang, _, t_rel = translated.partition("/")
        o_lang, _, o_rel = original_path.partition("/")
        if (t_lang, t_rel) in by_lang_rel and (o_lang, o_rel) in by_lang_rel:
            source_of[(t_lang, t_rel)] = (o_lang, o_rel)
        else:
            result.notes.append(
                Note("unpaired-translation", f"translations: {translated} -> {original_path}: no such pages")
            )
    planned: dict[tuple[str, str], _Planned] = {}
    categories: dict[str, CategoryEntry] = {}
    for source in sorted(sources, key=lambda s: s.lang != default):
        key = (source.lang, source.rel)
        original = by_lang_rel.get(source_of.get(key, (default, source.rel)))
        if source.lang != default and (original is None or original.lang != default):
            result.notes.append(
                Note(
                    "no-source-version",
                    f"{source.lang}/{source.rel}: no {default} page to pair "
                    "it with (same path, or `translations:` in the mapping): not imported",
                )
            )
            continue
        counterpart = planned.get((default, original.rel)) if source.lang != default and original else None
        planned[key] = _plan(
            source, counterpart, mapping, languages, taken_ids, today, owner, previous or {}, categories, result
        )
    result.categories = list(categories.values())
    urls: dict[str, _Planned] = {}
    for item in planned.values():
        if item.url in urls and urls[item.url].page.meta["id"] != item.page.meta["id"]:
            item.page.note("alias-taken", f"old URL /{item.url} is also {urls[item.url].source.rel}'s: not kept")
            item.page.meta["aliases"] = [a for a in item.page.meta.get("aliases", []) if a != item.url]
            continue
        urls.setdefault(item.url, item)
        for alias in item.page.meta.get("aliases", []):
            urls.setdefault(alias, item)
    copies = result.assets
    converter = _Converter(root, mapping, planned, urls, copies, result, default)
    for item in progress(list(planned.values())):
        converter.convert(item)
    converter.fix_anchors()
    result.pages = [item.page for item in planned.values()]
    result.counts["pages"] = sum(1 for item in planned.values() if item.page.lang == default)
    result.counts["translations"] = len(planned) - result.counts["pages"]
    result.counts["categories"] = len(result.categories)
    return result


def _plan(
    source: SourcePage,
    counterpart: _Planned | None,
    mapping: Mapping,
    languages: list[str],
    taken_ids: set[str],
    today: date,
    owner: str,
    previous: dict[str, dict[str, str]],
    categories: dict[str, CategoryEntry],
    result: ImportSet,
) -> _Planned:
    key = f"markdown:{source.lang}/{source.rel}"
    page = ImportedPage(key, source.lang, "", {}, source.body, f"{source.lang}/{source.rel}")
    meta = source.meta
    body_title = next((m.group(1) for line in source.body.split("\n")[:20] if (m := _H1.match(line))), None)
    title = _first(meta, mapping.keys.get("title", [])) or body_title
    stem = source.rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if stem in ("index", "README", "_index"):
        stem = source.rel.split("/")[-2] if "/" in source.rel else "home"
    title = " ".join(str(title or stem.replace("-", " ").capitalize()).split())
    if len(title) > TITLE_LIMIT:
        page.note("title-shortened", f"title shortened to {TITLE_LIMIT} characters (was {len(title)})")
        title = title[: TITLE_LIMIT - 1].rstrip() + "…"
    if counterpart is not None:
        page.rel = counterpart.page.rel
        for copied in ("id", "type", "audience", "category"):
            page.meta[copied] = counterpart.page.meta[copied]
        category = page.meta["category"]
    else:
        folders = source.rel.split("/")[:-1][: mapping.category_depth]
        category = slugify("-".join(folders)).replace("_", "-").strip("-") or "general"
        if category not in categories:
            label = " › ".join(part.replace("-", " ").replace("_", " ").capitalize() for part in folders) or "General"
            categories[category] = CategoryEntry(category, {lang: label for lang in languages})
        record = previous.get(key)
        if record and record.get("id") and record.get("rel"):
            page_id, page.rel = record["id"], record["rel"]
        else:
            page_id = slugify(stem)[:80].strip("-") or "page"
            if page_id in taken_ids:
                page_id = f"{category}-{page_id}"
            base, number = page_id, 2
            while page_id in taken_ids:
                page_id, number = f"{base}-{number}", number + 1
            taken_ids.add(page_id)
            # Jekyll's collections (_docs/) keep their name without the underscore, which MkDocs would hide
            page.rel = "/".join(part.lstrip("_") or part for part in source.rel.rsplit(".", 1)[0].split("/")) + ".md"
        source_type = str(_first(meta, mapping.keys.get("type", [])) or "").strip()
        content_type = mapping.type_values.get(source_type, mapping.default_type)
        page.meta.update(
            id=page_id,
            type=content_type if content_type in CONTENT_TYPES else "article",
            audience=Audience.PUBLIC.value,
            category=category,
        )
    page.meta["title"] = title
    draft = _first(meta, mapping.keys.get("draft", []))
    published = meta.get("published", True) is not False
    page.meta["status"] = Status.DRAFT.value if draft is True or not published else Status.PUBLISHED.value
    page.meta["owner"] = owner
    page.meta["reviewed"] = today  # imported content counts as reviewed on the day of the import
    summary = _first(meta, mapping.keys.get("summary", []))
    if isinstance(summary, str) and summary.strip():
        summary = " ".join(summary.split())
        if len(summary) > SUMMARY_LIMIT:
            page.note("summary-shortened", f"summary shortened to {SUMMARY_LIMIT} characters (was {len(summary)})")
            summary = summary[: SUMMARY_LIMIT - 1].rstrip() + "…"
        page.meta["summary"] = summary
    keywords = _first(meta, mapping.keys.get("keywords", []))
    if isinstance(keywords, str):
        keywords = [k.strip() for k in keywords.split(",")]
    if isinstance(keywords, list) and any(str(k).strip() for k in keywords):
        page.meta["keywords"] = list(dict.fromkeys(str(k).strip() for k in keywords if str(k).strip()))
    order = _first(meta, mapping.keys.get("order", []))
    if isinstance(order, int) and not isinstance(order, bool) and 0 <= order <= 1_000_000:
        page.meta["order"] = order
    elif order is not None:
        page.note("order-dropped", f"order {order!r} is not a whole number from 0 to 1000000: not kept")
    url = _published_url(source, mapping)
    own_aliases = _first(meta, mapping.keys.get("aliases", []))
    aliases = [url] + [
        alias_path(str(a))
        for a in (own_aliases if isinstance(own_aliases, list) else [own_aliases] if own_aliases else [])
    ]
    own_path = page_path(page.rel).rstrip("/")  # an old URL the page keeps needs no redirect
    aliases = [a for a in dict.fromkeys(aliases) if a and a != own_path and a.split("/")[0] not in languages]
    if aliases:
        page.meta["aliases"] = aliases
    return _Planned(source, page, url)


# A tag-shaped word: `<username>`, `</x.0>`, `<s:code>`, `<profile name>` (autolinks are told apart below)
_PSEUDO_TAG = re.compile(r"<(/?)([A-Za-z][\w.:-]*)((?:\s[^<>]*)?\\?/?)>")
_AUTOLINK = re.compile(r"(?:https?|ftp|mailto|tel):|[^\s]*@", re.IGNORECASE)
_CODE_SPAN = re.compile(r"(`+[^`]*`+)")
# What stays markup: what the site keeps (but SVG's parts, which mean nothing outside an <svg> and are common
# placeholder words: <path>) and what lint must see to refuse it. Anything else tag-shaped is a placeholder.
_HTML_NAMES = (ALLOWED_TAGS - {"path", "g", "circle", "rect"}) | SCRIPT_CAPABLE_TAGS


def _as_text_unless_html(match: re.Match[str]) -> str:
    if match.group(2).lower() in _HTML_NAMES or (not match.group(1) and _AUTOLINK.match(match.group(2))):
        return match.group(0)
    return "&lt;" + match.group(0)[1:-1].removesuffix("\\") + "&gt;"  # `\>` is the source's literal '>'


class _Converter:
    def __init__(
        self,
        root: Path,
        mapping: Mapping,
        planned: dict[tuple[str, str], _Planned],
        urls: dict[str, _Planned],
        copies: dict[Path, Path],
        result: ImportSet,
        default: str,
    ):
        self.root, self.mapping, self.planned, self.urls = root, mapping, planned, urls
        self.copies, self.result = copies, result
        self.by_source_path = {item.source.path.resolve(): item for item in planned.values()}
        # DocFX sets are written on case-insensitive systems: '../Installation/x.md' names 'installation/x.md'
        self.by_folded_path = {str(path).casefold(): item for path, item in self.by_source_path.items()}
        self.anchor_links: list[tuple[_Planned, str, _Planned, str]] = []
        self.default_language = default

    def convert(self, item: _Planned) -> None:
        lines = self._includes(item, item.source.path, item.source.body.split("\n"), 0)
        lines = self._drop_title(lines)
        lines = self._blocks(item, lines)
        item.page.body = "\n".join(
            self._links(item, self._placeholders(line)) if not code else line
            for line, code in zip(lines, self._code_flags(lines), strict=True)
        )

    def _placeholders(self, line: str) -> str:
        """`C:\\Users\\<username>`, `16.<x>.0`: placeholders written as tags outside code. The renderer would
        read them as HTML and the sanitiser drop them, so the reader would lose the word: write them as text."""
        parts = _CODE_SPAN.split(line)
        for index in range(0, len(parts), 2):  # even parts are outside inline code
            # `\<` is a literal '<' in CommonMark (the source's dialect) but not in Python-Markdown (the site's)
            parts[index], count = _PSEUDO_TAG.subn(_as_text_unless_html, parts[index].replace("\\<", "&lt;"))
            self.result.counts["placeholders kept as text"] += count
        return "".join(parts)

    def _code_flags(self, lines: list[str]) -> list[bool]:
        flags = [False] * len(lines)
        for token in parser().parse("\n".join(lines)):
            if token.type in ("fence", "code_block") and token.map:
                for index in range(token.map[0], min(token.map[1], len(lines))):
                    flags[index] = True
        return flags

    def _includes(self, item: _Planned, path: Path, lines: list[str], depth: int) -> list[str]:
        out: list[str] = []
        for line in lines:
            match = _INCLUDE.search(line)
            if not match:
                out.append(line)
                continue
            prefix = line[: match.start()]
            target = (path.parent / match.group(1)).resolve()
            if depth >= _INCLUDE_DEPTH or not _inside(target, self.root) or not target.is_file():
                why = (
                    "outside the doc set"
                    if not _inside(target, self.root)
                    else "missing"
                    if not target.is_file()
                    else "nested too deep"
                )
                item.page.note("include-unresolved", f"include {match.group(1)} {why}: left out")
                self.result.counts["includes unresolved"] += 1
                rest = (prefix + line[match.end() :]).rstrip()
                if rest.strip(" >"):
                    out.append(rest)
                continue
            try:
                _, body = _read_source(target)
            except ContentError as exc:
                item.page.note("include-unresolved", str(exc))
                continue
            self.result.counts["includes"] += 1
            included = self._includes(item, target, body.strip("\n").split("\n"), depth + 1)
            out.extend((prefix + text).rstrip() if text.strip() else prefix.rstrip() for text in included)
            if line[match.end() :].strip():
                out.append(prefix + line[match.end() :].strip())
        return out

    def _drop_title(self, lines: list[str]) -> list[str]:
        for index, line in enumerate(lines[:20]):
            if _H1.match(line):
                return lines[:index] + lines[index + 1 :]
            if line.strip():
                break
        return lines

    def _blocks(self, item: _Planned, lines: list[str]) -> list[str]:
        out: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            callout = _CALLOUT.match(line)
            colon = _COLON_OPEN.match(line)
            if callout:
                indent = callout.group("indent")
                body: list[str] = []
                index += 1
                while index < len(lines) and lines[index].startswith(f"{indent}>"):
                    body.append(re.sub(r"^>\s?", "", lines[index][len(indent) :]))
                    index += 1
                out.append(f"{indent}!!! {_CALLOUT_KINDS[callout.group('kind').lower()]}")
                out.extend(f"{indent}    {text}" if text.strip() else "" for text in self._blocks(item, body))
                out.append("")
                self.result.counts["callouts"] += 1
                continue
            if colon:
                indent = colon.group("indent")
                body = []
                index += 1
                while index < len(lines) and lines[index].strip() != ":::":
                    body.append(lines[index][len(indent) :] if lines[index].startswith(indent) else lines[index])
                    index += 1
                index += 1
                title = colon.group("title").strip().strip("[]")
                heading = f"{indent}!!! {_COLON_KINDS[colon.group('kind')]}" + (f' "{title}"' if title else "")
                out.append(heading)
                out.extend(f"{indent}    {text}" if text.strip() else "" for text in self._blocks(item, body))
                out.append("")
                self.result.counts["callouts"] += 1
                continue
            if _DIV.match(line):
                index += 1
                while index < len(lines) and lines[index].lstrip().startswith(">"):
                    out.append(re.sub(r"^(\s*)>\s?", r"\1", lines[index]))
                    index += 1
                continue
            video = _VIDEO.match(line)
            if video:
                out.append(f"{video.group('indent')}[▶ Video]({video.group('url')})")
                self.result.counts["videos"] += 1
                index += 1
                continue
            if _IMAGE_END.match(line):
                index += 1
                continue
            if _IMAGE.search(line):
                complex_image = False

                def image(match: re.Match[str]) -> str:
                    nonlocal complex_image
                    attrs = dict(_ATTR.findall(match.group("attrs")))
                    alt = attrs.get("alt-text", "").replace("[", "(").replace("]", ")")
                    complex_image = complex_image or attrs.get("type") == "complex"
                    self.result.counts["image blocks"] += 1
                    source = attrs.get("source", "")
                    return f"![{alt}](<{source}>)" if re.search(r"[\s()<>]", source) else f"![{alt}]({source})"

                line = _IMAGE.sub(image, line)
                if complex_image:  # a long description follows until :::image-end:::
                    while index + 1 < len(lines) and not _IMAGE_END.match(lines[index + 1]):
                        index += 1
            if _ATTRIBUTE_LINE.match(line) and (not out or not out[-1].strip()):
                item.page.note("attribute-block", f"kramdown attribute block '{line.strip()}' removed")
                index += 1
                continue
            out.append(line)
            index += 1
        return out

    def _links(self, item: _Planned, line: str) -> str:
        line = _LIQUID_LINK.sub(lambda m: f"]({self._from_root(item, m.group(1))})", line)
        line = _HUGO_REF.sub(lambda m: f"]({m.group(1)})", line)
        line = _LIQUID_BASE.sub("](", line)
        return _LINK.sub(lambda m: self._link(item, m), line)

    def _from_root(self, item: _Planned, path: str) -> str:
        """A path written from the site's source root (Liquid's {% link %}) as one relative to this page."""
        target = (self.root / path.strip("/")).resolve()
        return posixpath.relpath(target.as_posix(), item.source.path.parent.resolve().as_posix())

    def _link(self, item: _Planned, match: re.Match[str]) -> str:
        bang, text, target = match.group("bang"), match.group("text"), match.group("target").strip("<>")
        if _SCHEME.match(target) or target.startswith(("#", "//")):
            return match.group(0)
        path, _, anchor = target.partition("#")
        path = path.partition("?")[0]
        page = item.page
        if path.startswith("/"):
            found = self.urls.get(alias_path(path))
            if found is not None:
                return self._to_page(item, bang, text, found, anchor)
            if self.mapping.site_url:
                page.note("external-link", f"site-absolute link {target} points outside the set: now a full URL")
                self.result.counts["links made absolute"] += 1
                return f"{bang}[{text}]({self.mapping.site_url.rstrip('/')}{target})"
            return self._unresolved(item, text, target, "site-absolute link outside the set and no site_url")
        resolved = (item.source.path.parent / path).resolve()
        for candidate in (resolved, resolved.with_suffix(".md"), resolved / "index.md", resolved / "README.md"):
            found_page = self.by_source_path.get(candidate) or self.by_folded_path.get(str(candidate).casefold())
            if found_page is not None:
                return self._to_page(item, bang, text, found_page, anchor)
        if resolved.suffix in (".md", ".mdx") or not resolved.suffix:
            # Not translated yet: the source-language page at the same path (lint and the site say so)
            source_rel = posixpath.normpath(posixpath.join(posixpath.dirname(item.source.rel), unquote(path)))
            default = self.default_language
            for rel in (source_rel, f"{source_rel}.md", f"{source_rel}/index.md"):
                fallback = self.planned.get((default, rel))
                if fallback is not None and item.page.lang != default:
                    item.page.note(
                        "untranslated-link", f"link {target}: no {item.page.lang} page, so it goes to the {default} one"
                    )
                    return self._to_page(item, bang, text, fallback, anchor)
            return self._unresolved(item, text, target, "no such page in the set")
        if not _inside(resolved, self.root) or not resolved.is_file():
            if bang:
                page.note("missing-image", f"image {path} is not in the doc set: replaced by its text")
                self.result.counts["images missing"] += 1
                return f"*{text}*" if text else ""
            return self._unresolved(item, text, target, "no such file in the set")
        destination = posixpath.normpath(posixpath.join(posixpath.dirname(page.rel), path))
        if destination.startswith("../"):
            destination = posixpath.join(posixpath.dirname(page.rel), "media", resolved.name)
        self.copies[resolved] = Path(page.lang) / destination
        self.result.counts["images" if bang else "files"] += 1
        relative = posixpath.relpath(destination, posixpath.dirname(page.rel) or ".")
        return f"{bang}[{text}](<{relative}>)" if re.search(r"[\s()]", relative) else f"{bang}[{text}]({relative})"

    def _to_page(self, item: _Planned, bang: str, text: str, target: _Planned, anchor: str) -> str:
        if item.page.meta["status"] == Status.PUBLISHED and target.page.meta["status"] != Status.PUBLISHED:
            item.page.note("link-removed", f"link to draft '{target.page.meta['id']}' removed (its text is kept)")
            return text
        relative = posixpath.relpath(target.page.rel, posixpath.dirname(item.page.rel) or ".")
        self.result.counts["links rewritten"] += 1
        if anchor:
            self.anchor_links.append((item, relative, target, anchor))
            return f"{bang}[{text}]({relative}#{anchor})"
        return f"{bang}[{text}]({relative})"

    def _unresolved(self, item: _Planned, text: str, target: str, why: str) -> str:
        item.page.note("unresolved-link", f"link {target}: {why}; only its text is kept")
        self.result.counts["unresolved links"] += 1
        return text

    def fix_anchors(self) -> None:
        """Drop #anchors the target page does not have (the old site's slugs may differ from kb's)."""
        known = {id(item): outline(item.page.body).anchors for item in self.planned.values()}
        for item in self.planned.values():

            def same_page(match: re.Match[str], item: _Planned = item) -> str:
                if match.group("target").startswith("#") and match.group("target")[1:] not in known[id(item)]:
                    item.page.note("anchor-dropped", f"no heading '{match.group('target')}' on the page: link removed")
                    return match.group("text")
                return match.group(0)

            item.page.body = _LINK.sub(same_page, item.page.body)
        for item, relative, target, anchor in self.anchor_links:
            if anchor not in known[id(target)]:
                item.page.body = item.page.body.replace(f"({relative}#{anchor})", f"({relative})")
                item.page.note("anchor-dropped", f"{target.page.rel} has no heading '#{anchor}': linked to the page")

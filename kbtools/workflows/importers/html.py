"""HTML article bodies to clean Markdown, with markdownify (BeautifulSoup-based, maintained, extensible per tag).

kb's additions: callout boxes become admonitions, embedded videos become links, links and images go through
a caller's rewrite function (so links between articles become relative .md links), tables keep a header row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markdownify import MarkdownConverter

# Class words that mark a callout box in help-center themes (Zendesk's Copenhagen, Guide's editor, Freshdesk)
_CALLOUT_KINDS = {
    "warning": "warning",
    "danger": "danger",
    "caution": "warning",
    "alert": "warning",
    "important": "info",
    "info": "info",
    "tip": "tip",
    "success": "success",
    "note": "note",
    "callout": "note",
}
_VIDEO_HOSTS = re.compile(r"youtube|youtu\.be|vimeo|wistia|loom|vidyard", re.IGNORECASE)
_BLANK_RUNS = re.compile(r"\n{3,}")


@dataclass
class Conversion:
    """What converting one body found, for the import report."""

    callouts: int = 0
    images: list[str] = field(default_factory=list)
    videos: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # tags whose content could not be kept (forms, scripts)


Rewrite = Callable[[str, str], str | None]  # (url, kind 'link'|'image') -> new url, or None to keep text only


def _callout_kind(classes: list[str]) -> str | None:
    """The admonition for a box's classes: the most specific word wins ('callout callout--warning' is a warning)."""
    words = [word for name in classes for word in re.split(r"[-_\s]+", name.lower())]
    kinds = [_CALLOUT_KINDS[word] for word in words if word in _CALLOUT_KINDS and word != "callout"]
    if kinds:
        return kinds[0]
    return "note" if "callout" in words else None


class _Converter(MarkdownConverter):
    def __init__(self, rewrite: Rewrite, found: Conversion, **options: Any):
        super().__init__(**options)
        self.rewrite = rewrite
        self.found = found

    def _admonition(self, kind: str, text: str) -> str:
        self.found.callouts += 1
        body = "\n".join(f"    {line}" if line.strip() else "" for line in text.strip().split("\n"))
        return f"\n\n!!! {kind}\n{body}\n\n"

    def convert_div(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        kind = _callout_kind(el.get("class") or [])
        if kind and "_inline" not in parent_tags and text.strip():
            return self._admonition(kind, text)
        return super().convert_div(el, text, parent_tags)

    def convert_p(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        kind = _callout_kind(el.get("class") or [])
        if kind and "_inline" not in parent_tags and text.strip():
            return self._admonition(kind, text)
        return super().convert_p(el, text, parent_tags)

    def convert_blockquote(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        kind = _callout_kind(el.get("class") or [])
        if kind and "_inline" not in parent_tags and text.strip():
            return self._admonition(kind, text)
        return super().convert_blockquote(el, text, parent_tags)

    convert_aside = convert_div

    def convert_hN(self, n, el, text, parent_tags):  # type: ignore[no-untyped-def]
        # Keep a heading's id as an attribute list (the site enables attr_list), so #anchor links still land
        heading = super().convert_hN(n, el, text, parent_tags)
        anchor = el.get("id") or ""
        if anchor and re.fullmatch(r"[A-Za-z][\w-]*", anchor) and heading.strip():
            heading = heading.rstrip("\n") + f" {{#{anchor}}}\n\n"
        return heading

    def convert_li(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        # Python-Markdown (the site's renderer) nests only what is indented by 4 spaces: pad every bullet to 4
        text = (text or "").strip()
        if not text:
            return "\n"
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = str(parent.get("start") or "1")
            bullet = f"{(int(start) if start.isdigit() else 1) + len(el.find_previous_siblings('li'))}."
        else:
            bullet = "-"
        bullet = bullet.ljust(3) + " "
        indent = " " * len(bullet)
        lines = [f"{indent}{line}" if line.strip() else "" for line in text.split("\n")]
        return bullet + "\n".join(lines)[len(indent) :] + "\n"

    def convert_a(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        href = el.get("href")
        if href and "_noformat" not in parent_tags:
            new = self.rewrite(href, "link")
            if new is None:
                return text
            el["href"] = new
        el.attrs.pop("title", None)
        return super().convert_a(el, text, parent_tags)

    def convert_img(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        src = el.get("src") or ""
        new = self.rewrite(src, "image") if src else None
        alt = (el.get("alt") or "").strip()
        if new is None:
            return f"*{alt}*" if alt else ""
        self.found.images.append(new)
        el["src"] = new
        el["alt"] = alt.replace("[", "(").replace("]", ")")
        el.attrs.pop("title", None)
        return super().convert_img(el, text, parent_tags)

    def convert_iframe(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        src = (el.get("src") or "").strip()
        if src.startswith("//"):
            src = f"https:{src}"
        if not src.startswith(("http://", "https://")):
            self.found.dropped.append("iframe")
            return ""
        title = (el.get("title") or "").strip() or ("Video" if _VIDEO_HOSTS.search(src) else "Embedded content")
        self.found.videos.append(src)
        return f"\n\n[▶ {title}]({src})\n\n"

    def convert_video(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        src = el.get("src") or next((s.get("src") for s in el.find_all("source") if s.get("src")), "")
        if not src:
            return text
        src = self.rewrite(src, "link") or src
        self.found.videos.append(src)
        return f"\n\n[▶ {(el.get('title') or 'Video').strip()}]({src})\n\n"

    def convert_form(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        self.found.dropped.append("form")
        return ""

    convert_button = convert_form
    convert_input = convert_form

    def convert_script(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        self.found.dropped.append(el.name)
        return ""

    convert_style = convert_script
    convert_object = convert_script
    convert_embed = convert_script


def _code_language(el) -> str:  # type: ignore[no-untyped-def]
    for node in (el, el.find("code")):
        for name in (node.get("class") or []) if node is not None else []:
            if name.startswith(("language-", "lang-")):
                return name.partition("-")[2]
    return ""


def html_to_markdown(html: str, rewrite: Rewrite) -> tuple[str, Conversion]:
    """Markdown for `html`; links and images pass through `rewrite`."""
    found = Conversion()
    converter = _Converter(
        rewrite,
        found,
        heading_style="ATX",
        bullets="-",
        strong_em_symbol="*",
        code_language_callback=_code_language,
        table_infer_header=True,
        keep_inline_images_in=["td", "th"],
        escape_misc=False,
    )
    markdown = converter.convert(html or "")
    markdown = "\n".join(line.rstrip() for line in markdown.split("\n"))
    return _BLANK_RUNS.sub("\n\n", markdown).strip() + "\n", found

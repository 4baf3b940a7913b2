"""What HTML a page may carry: writers' bodies cleaned to one allow-list, every other value escaped.

Content comes from pull requests by many writers, so a body's raw HTML and every front-matter value are
untrusted. Two rules, declared here once and used by the build (site_plugins) and by `kb lint`:

- Values (titles, summaries, keywords, labels...) are text: `text()` escapes them into `Markup`, which templates
  print as they are and never escape twice.
- Bodies are HTML rendered from Markdown: `clean()` keeps exactly the allow-list below (what kb's Markdown
  extensions and mkdocs-material produce) with nh3 (the Rust sanitiser ammonia); `problems()` says what
  `clean()` would remove, for lint and for the build's warnings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3
from markupsafe import Markup, escape

# Elements a body may hold: text, lists, tables, code, admonitions, details, images, footnotes, emoji icons.
ALLOWED_TAGS = frozenset(
    {
        *("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "div", "span", "pre", "code"),
        *("a", "img", "figure", "figcaption", "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small"),
        *("sub", "sup", "kbd", "samp", "var", "abbr", "cite", "dfn", "q", "time", "wbr", "details", "summary"),
        *("ul", "ol", "li", "dl", "dt", "dd", "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot"),
        *("tr", "th", "td"),
        # mkdocs-material's emoji and icons as inline SVG (`material.extensions.emoji.to_svg`)
        *("svg", "path", "g", "circle", "rect"),
    }
)
# Attributes any allowed element may have (attr_list's ids and classes, headings' ids, language marks)
GENERIC_ATTRIBUTES = frozenset({"id", "class", "title", "lang", "dir"})
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "hreflang", "name"}),  # name: pymdownx.highlight's line anchors
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "td": frozenset({"align", "colspan", "rowspan", "headers", "style"}),
    "th": frozenset({"align", "colspan", "rowspan", "headers", "scope", "style"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "details": frozenset({"open"}),
    "time": frozenset({"datetime"}),
    "abbr": frozenset(),
    "q": frozenset({"cite"}),
    "blockquote": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}),
    "svg": frozenset({"xmlns", "viewBox", "width", "height", "fill", "aria-hidden", "focusable"}),
    "path": frozenset({"d", "fill", "fill-rule", "clip-rule"}),
    "g": frozenset({"fill"}),
    "circle": frozenset({"cx", "cy", "r", "fill"}),
    "rect": frozenset({"x", "y", "width", "height", "rx", "ry", "fill"}),
}
# CSS in a `style` attribute: only column alignment (kb builds tables with `align=`, which the CSP allows;
# a `style=` from raw HTML is kept as the writer wrote it, and the CSP ignores it)
ALLOWED_STYLE_PROPERTIES = frozenset({"text-align"})
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "poster", "background", "xlink:href"})
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})  # and relative URLs
# Removed with their content, not only their tags: what they hold is code or a document, not text to show
REMOVED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "noscript", "noembed", "noframes", "template", "textarea", "xmp", "object"}
)
# Markup that can run script, load a document or send what a reader types: an error in lint, not a warning
SCRIPT_CAPABLE_TAGS = frozenset(
    {
        *REMOVED_WITH_CONTENT,
        *("embed", "applet", "frame", "frameset", "form", "input", "button", "select", "option", "base", "meta"),
        *("link", "portal", "math", "use", "foreignobject", "animate", "set", "handler", "listener"),
    }
)
SCRIPT_CAPABLE_ATTRIBUTES = frozenset({"srcdoc", "formaction", "action", "xlink:href", "href", "src"})
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data"})

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(REMOVED_WITH_CONTENT),
    attributes={"*": set(GENERIC_ATTRIBUTES), **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}},
    url_schemes=set(URL_SCHEMES),
    filter_style_properties=set(ALLOWED_STYLE_PROPERTIES),
    link_rel=None,  # kb's own links stay as written; no target= is allowed, so no opener to cut
    strip_comments=True,  # a comment in a public page's source is text the reader was not meant to see
)


def text(value: object) -> Markup:
    """A value shown on a page (title, label, keyword...) as HTML text: escaped once, never twice."""
    return escape(value)


def markdown_text(value: str) -> str:
    """A value placed in generated Markdown (a link's text, a heading): literal, whatever it holds."""
    escaped = re.sub(r"([\\`*_\[\]#!{}<>&])", lambda m: _MARKDOWN_ESCAPES.get(m.group(1), "\\" + m.group(1)), value)
    return " ".join(escaped.split())  # a line break would end the list item or heading


# HTML's characters as entities (Markdown passes raw HTML through; entities stay text); Markdown's backslashed
_MARKDOWN_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def clean(html: str) -> str:
    """`html` (a rendered body) with only the allow-list kept: no script, no handler, no javascript: URL."""
    return _CLEANER.clean(html)


@dataclass(frozen=True)
class Problem:
    line: int  # in the HTML given, from 1
    what: str  # "<script>", "onerror on <img>", "javascript: URL in href of <a>"
    script: bool  # it could run script or send data (an error), or is only markup the allow-list drops

    def __str__(self) -> str:
        return self.what


def problems(html: str, first_line: int = 1) -> list[Problem]:
    """What `clean()` would remove from `html`, each with its line (counted from `first_line`)."""
    scanner = _Scanner(first_line)
    scanner.feed(html)
    scanner.close()
    return scanner.found


class _Scanner(HTMLParser):
    def __init__(self, first_line: int):
        super().__init__(convert_charrefs=True)  # attribute values arrive decoded: `jav&#97;script:` too
        self.first_line = first_line
        self.found: list[Problem] = []

    def _add(self, what: str, script: bool) -> None:
        self.found.append(Problem(self.getpos()[0] + self.first_line - 1, what, script))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self._add(f"<{tag}>", tag in SCRIPT_CAPABLE_TAGS)
            return
        # HTMLParser lowers attribute names (SVG's viewBox too)
        allowed = {name.lower() for name in GENERIC_ATTRIBUTES | ALLOWED_ATTRIBUTES.get(tag, frozenset())}
        for name, value in attrs:
            if name not in allowed:
                self._add(f"{name} on <{tag}>", name.startswith("on") or name in SCRIPT_CAPABLE_ATTRIBUTES)
            elif name in URL_ATTRIBUTES and value and (scheme := url_scheme(value)) and scheme not in URL_SCHEMES:
                self._add(f"{scheme}: URL in {name} of <{tag}>", scheme in SCRIPT_SCHEMES)
            elif name == "style" and value and not _style_allowed(value):
                self._add(f"style on <{tag}> (only {', '.join(sorted(ALLOWED_STYLE_PROPERTIES))})", False)


def url_scheme(url: str) -> str | None:
    """The scheme a browser would read in `url` ('javascript' for ' JaVa\\tscript:x'), None when relative."""
    compact = re.sub(r"[\x00-\x20]", "", url).lower()
    match = re.match(r"([a-z][a-z0-9+.-]*):", compact)
    return match.group(1) if match else None


def _style_allowed(style: str) -> bool:
    names = [part.split(":", 1)[0].strip().lower() for part in style.split(";") if part.strip()]
    return all(name in ALLOWED_STYLE_PROPERTIES for name in names)

"""What a pull request may set in mkdocs.yml, declared once: lint, `kb build` and the writers' guide read it.

mkdocs.yml is code: `hooks` runs Python files, a Markdown extension is any importable module, YAML tags such
as `!!python/object/apply` call Python and `!ENV` reads the build's environment, `pymdownx.snippets` includes
any file the build can read. Every file of a pull request is untrusted, so each setting is allowed, replaced
(kb sets it itself; the repository's value is not used) or refused (an error naming the key and why).
This module reads the file as YAML nodes, without constructing anything, so checking it runs nothing.
It knows the names of MkDocs settings but imports nothing of MkDocs.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from kbtools.model.errors import ContentError
from kbtools.model.yamlsource import compose


class Verdict(StrEnum):
    ALLOWED = "allowed"
    REPLACED = "replaced"  # kb sets it; the repository's value is not used
    REFUSED = "refused"


@dataclass(frozen=True)
class Setting:
    name: str
    verdict: Verdict
    reason: str


A, R, X = Verdict.ALLOWED, Verdict.REPLACED, Verdict.REFUSED
_KB_DECIDES = "kb decides what each site publishes (audience, status, taxonomy)"


def _table(*settings: Setting) -> dict[str, Setting]:
    return {setting.name: setting for setting in settings}


# Every key of MkDocs' configuration (mkdocs.config.defaults.MkDocsConfig; a test keeps this complete)
SETTINGS = _table(
    Setting("site_name", A, "text shown on every page (markup refused: the theme shows it unescaped)"),
    Setting("site_url", A, "where the sites are served, an http(s) URL (`kb build --base-url` overrides it)"),
    Setting("site_description", A, "text (markup refused)"),
    Setting("site_author", A, "text (markup refused)"),
    Setting("copyright", A, "text in the footer (markup refused: the theme shows it as HTML)"),
    Setting("repo_url", A, "an http(s) URL, wiki only: the public site never links to the repository"),
    Setting("repo_name", A, "wiki only"),
    Setting("edit_uri", A, "wiki only"),
    Setting("edit_uri_template", A, "wiki only"),
    Setting("theme", A, "mkdocs-material options, see the `theme.` rows"),
    Setting("extra", A, "theme data (social links, analytics, consent); markup in its text refused"),
    Setting("markdown_extensions", A, "added to kb's own; only the extensions listed below"),
    Setting("plugins", R, "another plugin could copy internal pages into the public site"),
    Setting("nav", R, "the navigation comes from content/taxonomy.yml"),
    Setting("pages", R, "old name of `nav`"),
    Setting("docs_dir", R, "kb builds content/<lang>/ and nothing else"),
    Setting("site_dir", R, "kb builds into site/ (`kb build --out`)"),
    Setting("use_directory_urls", R, "kb's links and the service expect directory URLs"),
    Setting("exclude_docs", R, _KB_DECIDES),
    Setting("draft_docs", R, _KB_DECIDES),
    Setting("not_in_nav", R, _KB_DECIDES),
    Setting("validation", R, "kb sets how links are checked (`kb build --strict`)"),
    Setting("strict", R, "`kb build --strict`"),
    Setting("dev_addr", R, "`mkdocs serve` only; use `kb serve`"),
    Setting("watch", R, "`mkdocs serve` only; use `kb serve`"),
    Setting("remote_branch", R, "`mkdocs gh-deploy` only"),
    Setting("remote_name", R, "`mkdocs gh-deploy` only"),
    Setting("config_file_path", R, "set by MkDocs itself"),
    Setting("mdx_configs", R, "set by MkDocs itself from markdown_extensions"),
    Setting("hooks", X, "runs any Python file during the build"),
    Setting("INHERIT", X, "reads another configuration file, possibly outside the knowledge base"),
    Setting("extra_javascript", X, "runs a script on every page of both sites"),
    Setting("extra_css", X, "styles from outside kb's theme on every page (and a way to load remote files)"),
    Setting("extra_templates", X, "renders Jinja templates from the content folder"),
    Setting("google_analytics", X, "loads a third-party script on every page"),
)

THEME_SETTINGS = _table(
    Setting("name", A, "`material` only: kb's templates override mkdocs-material's"),
    Setting("features", A, "mkdocs-material features, added to kb's own"),
    Setting("palette", A, "colours"),
    Setting("font", A, "kb turns fonts off unless set (Google Fonts learns who reads what)"),
    Setting("logo", A, "a path or URL"),
    Setting("icon", A, "icon names"),
    Setting("favicon", A, "a path or URL"),
    Setting("direction", A, "ltr or rtl"),
    Setting("language", R, "each site's language comes from content/taxonomy.yml"),
    Setting("custom_dir", X, "templates from anywhere override kb's: they can include any file and drop kb's widgets"),
    Setting("static_templates", X, "renders theme templates as extra pages"),
)

_HARMLESS = "formatting only"
MARKDOWN_EXTENSIONS = _table(
    *(
        Setting(name, A, _HARMLESS)
        for name in (
            "abbr",
            "admonition",
            "attr_list",
            "codehilite",
            "def_list",
            "extra",
            "fenced_code",
            "footnotes",
            "legacy_attrs",
            "legacy_em",
            "md_in_html",
            "meta",
            "nl2br",
            "sane_lists",
            "smarty",
            "tables",
            "toc",
            "wikilinks",
            "pymdownx.arithmatex",
            "pymdownx.betterem",
            "pymdownx.blocks.admonition",
            "pymdownx.blocks.caption",
            "pymdownx.blocks.definition",
            "pymdownx.blocks.details",
            "pymdownx.blocks.html",
            "pymdownx.blocks.tab",
            "pymdownx.caret",
            "pymdownx.critic",
            "pymdownx.details",
            "pymdownx.emoji",
            "pymdownx.escapeall",
            "pymdownx.extra",
            "pymdownx.fancylists",
            "pymdownx.highlight",
            "pymdownx.inlinehilite",
            "pymdownx.keys",
            "pymdownx.magiclink",
            "pymdownx.mark",
            "pymdownx.pathconverter",
            "pymdownx.progressbar",
            "pymdownx.quotes",
            "pymdownx.saneheaders",
            "pymdownx.smartsymbols",
            "pymdownx.striphtml",
            "pymdownx.superfences",
            "pymdownx.tabbed",
            "pymdownx.tasklist",
            "pymdownx.tilde",
        )
    ),
    Setting(
        "pymdownx.snippets",
        X,
        "includes files into pages: any file the build can read (`base_path: /`), or an internal page into a "
        "public one",
    ),
    Setting("pymdownx.b64", X, "reads image files from its base_path and embeds them in pages"),
    Setting("pymdownx.blocks", X, "loads block classes from any importable module"),
)

# `!!python/name:` values allowed: the formatters mkdocs-material's documentation recommends
PYTHON_NAMES = frozenset(
    {
        "material.extensions.emoji.twemoji",
        "material.extensions.emoji.to_svg",
        "pymdownx.emoji.twemoji",
        "pymdownx.emoji.gemoji",
        "pymdownx.emoji.emojione",
        "pymdownx.emoji.to_svg",
        "pymdownx.emoji.to_png",
        "pymdownx.emoji.to_alt",
        "pymdownx.superfences.fence_code_format",
        "pymdownx.superfences.fence_div_format",
        "pymdownx.arithmatex.arithmatex_inline_format",
        "pymdownx.arithmatex.arithmatex_fenced_format",
        "pymdownx.slugs.slugify",
        "markdown.extensions.toc.slugify",
        "markdown.extensions.toc.slugify_unicode",
    }
)
_PYTHON_NAME = "tag:yaml.org,2002:python/name:"
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "binary", "merge", "value")
}
# Settings that become links on every page: a `javascript:` URL would run in the reader's browser
_URLS = ("site_url", "repo_url")
# Settings whose text the theme writes into pages unescaped
_SHOWN_TEXT = ("site_name", "site_description", "site_author", "copyright", "extra", "theme")


def _is_web_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def extension_name(name: str) -> str:
    """`markdown.extensions.toc` and `toc` are the same extension."""
    return name.removeprefix("markdown.extensions.")


def tag_problem(tag: str) -> str | None:
    """Why a YAML tag in mkdocs.yml is refused, or None when it is allowed."""
    if tag in _PLAIN_TAGS:
        return None
    if tag.startswith(_PYTHON_NAME):
        name = tag.removeprefix(_PYTHON_NAME)
        if name in PYTHON_NAMES:
            return None
        return f"!!python/name:{name} refused: only the formatters listed in docs/writers.md may be named"
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    if tag == "!ENV":
        return "!ENV refused: it reads the build's environment (CI secrets included)"
    if tag.startswith("tag:yaml.org,2002:python/"):
        return f"{shown} refused: it runs Python code"
    return f"YAML tag {shown} refused"


def check_config(path: Path) -> list[ContentError]:
    """Every problem of mkdocs.yml (file, line, key), without running or constructing anything."""
    if path.is_symlink():  # reported by kbtools.model.symlinks; never read what it points to
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [ContentError(path, "file not found")]
    except UnicodeDecodeError as exc:
        return [ContentError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    try:
        node = compose(text, path)
    except ContentError as exc:
        return [exc]
    if node is None:
        return []
    problems = [ContentError(path, message, line, key) for key, line, message in _tags(node, ())]
    if not isinstance(node, yaml.MappingNode):
        return [*problems, ContentError(path, "expected a mapping of MkDocs settings", 1)]
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        setting = SETTINGS.get(key)
        if setting is None:
            problems.append(ContentError(path, "not a MkDocs setting kb knows; remove it", line, key))
        elif setting.verdict is Verdict.REFUSED:
            problems.append(ContentError(path, f"refused: {setting.reason}", line, key))
        elif key == "theme":
            problems.extend(_theme(path, value_node))
        elif key == "markdown_extensions":
            problems.extend(_extensions(path, value_node))
        if key in _SHOWN_TEXT:
            problems.extend(_markup(path, value_node, key))
        if key in _URLS and not (isinstance(value_node, yaml.ScalarNode) and _is_web_url(str(value_node.value))):
            problems.append(ContentError(path, "must be an http:// or https:// URL (it becomes a link)", line, key))
    return sorted(problems, key=lambda problem: problem.line or 0)


def _tags(node: yaml.Node, where: tuple[str, ...]) -> Iterator[tuple[str, int, str]]:
    """(key, line, why) for every refused tag in the tree (no aliases reach here: compose refused them)."""
    problem = tag_problem(node.tag)
    if problem is not None:
        yield ".".join(where), node.start_mark.line + 1, problem
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _tags(key, where)
            yield from _tags(value, (*where, str(key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _tags(item, (*where, str(index)))


def _theme(path: Path, node: yaml.Node) -> Iterator[ContentError]:
    if isinstance(node, yaml.ScalarNode):
        entries = [("name", node)]
    elif isinstance(node, yaml.MappingNode):
        entries = [(str(key.value), value) for key, value in node.value]
    else:
        yield ContentError(
            path, "theme must be a mapping of mkdocs-material options", node.start_mark.line + 1, "theme"
        )
        return
    for name, value in entries:
        line = value.start_mark.line + 1
        setting = THEME_SETTINGS.get(name)
        if setting is None:
            yield ContentError(path, "not a theme option kb knows; remove it", line, f"theme.{name}")
        elif setting.verdict is Verdict.REFUSED:
            yield ContentError(path, f"refused: {setting.reason}", line, f"theme.{name}")
        elif name == "name" and value.value != "material":
            yield ContentError(path, "refused: the theme is material (kb's templates override it)", line, "theme.name")


def _extensions(path: Path, node: yaml.Node) -> Iterator[ContentError]:
    if not isinstance(node, yaml.SequenceNode):
        yield ContentError(path, "markdown_extensions must be a list", node.start_mark.line + 1, "markdown_extensions")
        return
    for index, item in enumerate(node.value):
        line = item.start_mark.line + 1
        key = f"markdown_extensions.{index}"
        if isinstance(item, yaml.ScalarNode):
            name = str(item.value)
        elif isinstance(item, yaml.MappingNode) and len(item.value) == 1:
            name = str(item.value[0][0].value)
        else:
            yield ContentError(path, "an extension is a name or a one-key mapping of its options", line, key)
            continue
        setting = MARKDOWN_EXTENSIONS.get(extension_name(name))
        if setting is None:
            yield ContentError(
                path, f"extension '{name}' refused: not one kb knows (any module can be named)", line, key
            )
        elif setting.verdict is Verdict.REFUSED:
            yield ContentError(path, f"extension '{name}' refused: {setting.reason}", line, key)


def _markup(path: Path, node: yaml.Node, key: str) -> Iterator[ContentError]:
    if isinstance(node, yaml.ScalarNode):
        if "<" in str(node.value):
            yield ContentError(
                path, "markup refused: the theme writes this text into pages unescaped", node.start_mark.line + 1, key
            )
    elif isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            yield from _markup(path, value, f"{key}.{name.value}")
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _markup(path, item, f"{key}.{index}")


class _ConfigLoader(yaml.SafeLoader):
    """Constructs mkdocs.yml once check_config found nothing: plain YAML plus the allowed formatters."""


def _python_name(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if suffix not in PYTHON_NAMES:  # check_config refuses it first; never import anything else
        raise yaml.constructor.ConstructorError(None, None, f"!!python/name:{suffix} refused", node.start_mark)
    module, _, attribute = suffix.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


_ConfigLoader.add_multi_constructor(_PYTHON_NAME, _python_name)


def load_config(path: Path) -> dict[str, Any]:
    """mkdocs.yml as data; call only after check_config(path) returned no problem."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_ConfigLoader)
    return data if isinstance(data, dict) else {}


def replaced_settings() -> tuple[str, ...]:
    return tuple(setting.name for setting in SETTINGS.values() if setting.verdict is Verdict.REPLACED)

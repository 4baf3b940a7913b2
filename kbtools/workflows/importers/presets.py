"""Built-in front-matter mappings of Markdown documentation tools, and the `--map FILE` that overrides them.

A mapping says, for each kb key, which source keys feed it (the first present wins), plus where the tool keeps
its pages, how it pairs translations and how it builds a page's published URL (kept as an alias).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtools.model.errors import UsageError
from kbtools.model.yamlsource import read_yaml_file

FLAVOURS = ("docfx", "mkdocs", "docusaurus", "hugo", "jekyll")
_MAPPED = ("title", "summary", "keywords", "order", "aliases", "draft", "url", "type")


@dataclass
class Mapping:
    flavour: str
    keys: dict[str, list[str]]  # kb key (or draft/url/type) -> source keys, first present wins
    docs_dir: str = ""  # where the pages are under DIR
    languages: str = "folder"  # folder (<lang>/...), suffix (page.<lang>.md), docusaurus (i18n/<lang>/...)
    language_folders: dict[str, str] = field(default_factory=dict)  # kb language -> folder or suffix
    translations: dict[str, str] = field(default_factory=dict)  # "fr/a.md": "en/b.md" when names differ
    url_base: str = ""  # published path of docs_dir's root, e.g. outlook/troubleshoot
    url_drop_folders: list[str] = field(default_factory=list)  # folders the published URL leaves out
    url_suffix: str = "/"  # "", "/" or ".html"
    url_key_relative: bool = False  # the page's own URL key (Docusaurus' slug) is under url_base even with a '/'

    site_url: str = ""  # where the old site is, for site-absolute links that point outside the set
    exclude: list[str] = field(default_factory=list)  # glob patterns, relative to docs_dir
    category_depth: int = 1  # folders that make the kb category
    type_values: dict[str, str] = field(default_factory=dict)  # source type value -> kb type
    default_type: str = "article"


_COMMON_EXCLUDE = [
    "README.md", "LICENSE*", "CHANGELOG.md", "**/includes/**", "includes/**", "_includes/**", "_layouts/**",
    "_site/**", "_data/**", "node_modules/**", "**/_index.md", "_index.md",
]  # fmt: skip

PRESETS: dict[str, dict[str, Any]] = {
    "docfx": {
        "keys": {
            "title": ["title", "titleSuffix"],
            "summary": ["description"],
            "keywords": ["keywords"],
            "type": ["ms.topic"],
            "order": ["order"],
        },
        "url_suffix": "",
        "type_values": {
            "troubleshooting": "troubleshooting",
            "troubleshooting-general": "troubleshooting",
            "troubleshooting-problem-resolution": "troubleshooting",
        },
    },
    "mkdocs": {
        "keys": {
            "title": ["title"],
            "summary": ["description", "summary"],
            "keywords": ["keywords", "tags"],
            "order": ["order", "weight", "nav_order"],
            "aliases": ["aliases", "redirect_from"],
        },
        "docs_dir": "docs",
    },
    "docusaurus": {
        "keys": {
            "title": ["title", "sidebar_label"],
            "summary": ["description"],
            "keywords": ["keywords", "tags"],
            "order": ["sidebar_position"],
            "url": ["slug"],
            "draft": ["draft", "unlisted"],
        },
        "docs_dir": "docs",
        "languages": "docusaurus",
        "url_base": "docs",
        "url_key_relative": True,
    },
    "hugo": {
        "keys": {
            "title": ["title", "linkTitle"],
            "summary": ["description", "summary"],
            "keywords": ["keywords", "tags"],
            "order": ["weight"],
            "aliases": ["aliases"],
            "draft": ["draft"],
            "url": ["url"],
        },
        "docs_dir": "content",
        "languages": "suffix",
    },
    "jekyll": {
        "keys": {
            "title": ["title"],
            "summary": ["description", "excerpt"],
            "keywords": ["keywords", "tags"],
            "order": ["nav_order", "order"],
            "aliases": ["redirect_from"],
            "url": ["permalink"],
            "draft": ["draft"],
        },
        "url_suffix": ".html",
    },
}


def detect_flavour(root: Path) -> str:
    """The tool a doc set was written for, from the files only that tool has."""
    if (root / "docfx.json").is_file() or any(root.glob("**/toc.yml")):
        return "docfx"
    if any((root / name).is_file() for name in ("docusaurus.config.js", "docusaurus.config.ts")):
        return "docusaurus"
    if any((root / name).is_file() for name in ("hugo.toml", "hugo.yaml", "config.toml")):
        return "hugo"
    if (root / "_config.yml").is_file():
        return "jekyll"
    return "mkdocs"


def load_mapping(root: Path, flavour: str | None, map_file: Path | None) -> Mapping:
    data: dict[str, Any] = {}
    if map_file is not None:
        source = read_yaml_file(map_file)  # the same hostile-YAML limits as every kb file
        if not isinstance(source.data, dict):
            raise UsageError(f"{map_file}: the mapping must be a YAML mapping (see docs/writers.md, Importing)")
        data = source.data
    chosen = flavour or data.get("preset") or detect_flavour(root)
    if chosen not in PRESETS:
        raise UsageError(f"unknown preset '{chosen}'; presets: {', '.join(FLAVOURS)}")
    preset = PRESETS[chosen]
    keys = {**preset["keys"]}
    for key, value in (data.get("keys") or {}).items():
        if key not in _MAPPED:
            raise UsageError(f"{map_file}: keys.{key}: kb maps only {', '.join(_MAPPED)}")
        keys[key] = [value] if isinstance(value, str) else [str(item) for item in value]
    allowed = set(Mapping.__dataclass_fields__) - {"flavour", "keys"} | {"preset"}
    unknown = set(data) - allowed - {"keys"}
    if unknown:
        raise UsageError(
            f"{map_file}: unknown setting {', '.join(sorted(unknown))}; settings: {', '.join(sorted(allowed))}"
        )
    settings = {k: v for k, v in preset.items() if k != "keys"}
    settings.update({k: v for k, v in data.items() if k not in ("keys", "preset")})
    mapping = Mapping(chosen, keys, **settings)
    mapping.exclude = [*_COMMON_EXCLUDE, *mapping.exclude]
    mapping.url_base = mapping.url_base.strip("/")
    return mapping

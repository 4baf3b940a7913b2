"""`kb build`: the public help center and the internal agent wiki, one process per site.

Each language of a site gets a MkDocs config generated here from the repository's mkdocs.yml (site name,
theme options, extra settings) plus kb's plugins, so no `INHERIT` list-replacement surprises. Each site is
one process (site_plugins.worker) building its languages in turn; the two sites build in parallel into a
staging folder. git history is read once, here, and handed to both processes. A site replaces the old one
only once all of its languages built, so readers never see a half-built site and no stale file survives.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import types
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kbtools.model.errors import KbError
from kbtools.model.files import write_atomically
from kbtools.model.history import read_history, save_history
from kbtools.model.project import KnowledgeBase
from kbtools.model.symlinks import tree_symlinks
from kbtools.model.urls import site_prefix
from kbtools.model.vocabulary import Audience
from kbtools.workflows.buildconfig import check_config, load_config, replaced_settings
from site_plugins.site import AUDIENCES, HISTORY_FILE_ENV
from site_plugins.strings import strings

THEME_DIR = Path(__file__).resolve().parent / "theme"
# mkdocs.yml settings kb sets itself (declared with their reasons in kbtools.workflows.buildconfig)...
_REPLACED_KEYS = replaced_settings()
# ...and those it merges with its own
_OWN_KEYS = (*_REPLACED_KEYS, "markdown_extensions")
# What kb's plugins and theme need; a repository's mkdocs.yml may add more extensions.
_MARKDOWN_EXTENSIONS: list[str | dict[str, Any]] = [
    "admonition",
    "attr_list",
    "md_in_html",
    {"tables": {"use_align_attribute": True}},  # align= attributes, not style=, which the CSP refuses
    "pymdownx.details",
    "pymdownx.superfences",
    "toc",  # with a permalink titled in the page's language (markdown_extensions)
]


class BuildError(KbError):
    """MkDocs failed (in --strict mode: reported a warning) for one of the sites."""


@dataclass
class BuildOptions:
    audiences: tuple[str, ...] = AUDIENCES
    out_dir: Path | None = None  # default: <root>/site
    strict: bool = False
    base_url: str | None = None  # where the service serves the sites; default: mkdocs.yml site_url
    service_url: str = ""  # feedback service, usually the same origin as base_url
    contact_url: str = ""
    jobs: int = 2  # site processes at a time


@dataclass
class SiteBuild:
    audience: str
    langs: tuple[str, ...]
    seconds: float = 0.0
    log: str = ""


@dataclass
class BuildResult:
    sites: dict[str, Path] = field(default_factory=dict)
    builds: list[SiteBuild] = field(default_factory=list)
    seconds: float = 0.0


def load_base_config(kb: KnowledgeBase) -> dict[str, Any]:
    """mkdocs.yml, once checked: a setting, tag or extension that runs code or reads files is an error."""
    path = kb.root / "mkdocs.yml"
    refuse_untrusted_input(kb)
    return load_config(path)


def refuse_untrusted_input(kb: KnowledgeBase) -> None:
    """Raise BuildError naming every symbolic link in the tree and every refused mkdocs.yml setting.

    `kb build` runs lint first, which reports the same problems by the same definitions; this check keeps
    any other caller of build_sites from building them.
    """
    problems = [
        f"{kb.relative(link.path)}: symbolic link to {link.target} refused (kb publishes no links)"
        for link in tree_symlinks(kb.root)
    ]
    if not problems:  # mkdocs.yml is only read once it is no link
        problems = [str(problem) for problem in check_config(kb.root / "mkdocs.yml")]
    if problems:
        raise BuildError("refused to build:\n" + "\n".join(problems))


def site_url(base_url: str, audience: str, lang: str, default_lang: str) -> str:
    url = base_url if base_url.endswith("/") else base_url + "/"
    return url + site_prefix(audience, lang, default_lang)


def _root_to_root(lang: str, other: str, default: str) -> str:
    """Relative link from the root of the `lang` site to the root of the `other` site of the same audience."""
    up = "" if lang == default else "../"
    return (up + ("" if other == default else f"{other}/")) or "./"


def mkdocs_config(
    kb: KnowledgeBase, base: dict[str, Any], options: BuildOptions, audience: str, lang: str, site_dir: Path
) -> dict[str, Any]:
    """The MkDocs config of one site in one language."""
    taxonomy = kb.taxonomy
    default = taxonomy.default_language
    base_url = options.base_url or base.get("site_url") or "http://127.0.0.1:8000/"
    config = {key: value for key, value in base.items() if key not in _OWN_KEYS}
    if audience == Audience.PUBLIC:  # edit and source links would point readers at the repository: leak paths
        for key in ("repo_url", "repo_name", "edit_uri", "edit_uri_template"):
            config.pop(key, None)
    # Each language's site name and footer, when taxonomy.yml gives them; else mkdocs.yml's, for every language
    language = next(found for found in taxonomy.languages if found.code == lang)
    site_name = language.site_name or str(base.get("site_name", "Help Center"))
    if language.footer:
        config["copyright"] = language.footer
    theme_setting = base.get("theme") or {}
    theme = {"name": theme_setting} if isinstance(theme_setting, str) else dict(theme_setting)
    features = list(theme.get("features") or [])
    # navigation.prune renders only the open category's links on each page; without it (or with
    # navigation.sections, which keeps every category open) every page carries the whole navigation and
    # Jinja rendering dominates the build (see bench/build_bench.py)
    for feature in (
        "navigation.indexes",
        "navigation.prune",
        "navigation.top",
        "navigation.path",  # breadcrumbs: home > category on every article and category page
        "search.highlight",
        "search.suggest",
        "content.code.copy",
    ):
        if feature not in features:
            features.append(feature)
    # font: false keeps readers' browsers from fetching Google Fonts (a third party learning who reads what)
    theme.setdefault("font", False)
    theme.update(name="material", custom_dir=str(THEME_DIR), language=lang, features=features)
    common = {"root": str(kb.root), "audience": audience, "lang": lang, "contact_url": options.contact_url}
    extra = dict(base.get("extra") or {})
    # The footer's "Made with Material for MkDocs" speaks to developers, not customers: on only when asked
    extra.setdefault("generator", False)
    # Relative to this site's root, so the sites work wherever they are served (the theme fetches these)
    extra["alternate"] = [
        {"name": language.name, "lang": language.code, "link": _root_to_root(lang, language.code, default)}
        for language in taxonomy.languages
    ]
    # The help center keeps mkdocs-material's static search; the wiki uses the agent search service instead
    search = (
        {"search": {"lang": [lang] if lang == default else [lang, default], "fields": {"tags": {"boost": 100}}}}
        if audience == Audience.PUBLIC
        else {}
    )
    config.update(
        site_name=site_name if audience == Audience.PUBLIC else f"{site_name} — Agent wiki",
        site_url=site_url(base_url, audience, lang, default),
        docs_dir=str(kb.content_dir / lang),
        site_dir=str(site_dir),
        use_directory_urls=True,
        theme=theme,
        extra=extra,
        plugins={
            **search,
            "kb-audience": common,
            "kb-navigation": common,
            "kb-page": {
                **common,
                "service_url": options.service_url,
                "show_author": audience in author_sites(base),
            },
        },
        markdown_extensions=markdown_extensions(base, lang, kb.root),
        validation={
            "nav": {"omitted_files": "info", "not_found": "warn", "absolute_links": "info"},
            "links": {"not_found": "warn", "anchors": "warn", "absolute_links": "warn", "unrecognized_links": "warn"},
        },
    )
    return config


AUTHOR_SITES_KEY = "show_author_on"  # under mkdocs.yml's `extra`


def author_sites(base: dict[str, Any]) -> tuple[str, ...]:
    """The sites whose "Last updated" line names the git author: the wiki only, unless mkdocs.yml's
    `extra.show_author_on` lists them (customers need the date, not who committed)."""
    value = (base.get("extra") or {}).get(AUTHOR_SITES_KEY, [Audience.INTERNAL.value])
    if not isinstance(value, list) or not all(isinstance(item, str) and item in AUDIENCES for item in value):
        raise KbError(f"mkdocs.yml: extra.{AUTHOR_SITES_KEY} must be a list of sites among {list(AUDIENCES)}")
    return tuple(value)


class _ConfigDumper(yaml.SafeDumper):
    """Writes what MkDocs' loader reads back: Python callables as `!!python/name:` tags, as mkdocs.yml had
    them (the emoji index and fence formatters mkdocs-material's docs recommend are functions)."""


def _python_name(dumper: yaml.SafeDumper, value: Any) -> yaml.Node:
    return dumper.represent_scalar(f"tag:yaml.org,2002:python/name:{value.__module__}.{value.__qualname__}", "")


for _callable in (types.FunctionType, types.BuiltinFunctionType, type):
    _ConfigDumper.add_multi_representer(_callable, _python_name)


def dump_config(config: dict[str, Any]) -> str:
    """A generated MkDocs config as YAML; a value from mkdocs.yml that cannot be written is a clean error."""
    try:
        return yaml.dump(config, Dumper=_ConfigDumper, allow_unicode=True, sort_keys=False)
    except yaml.representer.RepresenterError as exc:
        raise KbError(f"mkdocs.yml: kb cannot pass this value on to the site builds: {exc.args[-1]!r}") from None


def markdown_extensions(base: dict[str, Any], lang: str, kb_root: Path) -> list[str | dict[str, Any]]:
    """kb's Markdown extensions, then those mkdocs.yml adds (its settings win for an extension in both)."""
    own = {_extension_name(e): e for e in _MARKDOWN_EXTENSIONS}
    own["toc"] = {"toc": {"permalink": True, "permalink_title": strings(lang, kb_root)["permalink"]}}
    extra = base.get("markdown_extensions") or []
    if not isinstance(extra, list):
        raise KbError("mkdocs.yml: markdown_extensions must be a list")
    for extension in extra:
        own[_extension_name(extension)] = extension
    return list(own.values())


def _extension_name(extension: object) -> str:
    if isinstance(extension, str):
        return extension
    if isinstance(extension, dict) and len(extension) == 1:
        return str(next(iter(extension)))
    raise KbError(f"mkdocs.yml: {extension!r} in markdown_extensions is not an extension name or a one-key mapping")


def ignored_settings(base: dict[str, Any]) -> list[str]:
    """mkdocs.yml settings kb replaces with its own, so the CLI can say they were not used."""
    return [key for key in _REPLACED_KEYS if key in base]


def build_sites(kb: KnowledgeBase, options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    base = load_base_config(kb)
    languages = kb.taxonomy.language_codes
    out_dir = (options.out_dir or kb.root / "site").resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    try:
        history_file = staging / "history.pickle"
        save_history(read_history(kb.root), history_file)
        jobs: list[tuple[SiteBuild, list[Path]]] = []
        for audience in options.audiences:
            paths = []
            for lang in languages:
                config = mkdocs_config(kb, base, options, audience, lang, staging / audience / lang)
                config_path = staging / f"mkdocs-{audience}-{lang}.yml"
                config_path.write_text(dump_config(config), encoding="utf-8")
                paths.append(config_path)
            jobs.append((SiteBuild(audience, tuple(languages)), paths))
        with ThreadPoolExecutor(max(1, options.jobs)) as pool:
            runs = pool.map(lambda job: _run(job[0], job[1], options.strict, history_file), jobs)
            failures = [failure for failure in runs if failure]
        if failures:
            raise BuildError("\n\n".join(failures))
        result = BuildResult(builds=[job[0] for job in jobs])
        for audience in options.audiences:
            root = staging / audience / languages[0]
            for lang in languages[1:]:
                (staging / audience / lang).rename(root / lang)
            result.sites[audience] = _swap(root, out_dir / audience)
            _record_addresses(out_dir, audience, options)
        result.seconds = time.perf_counter() - started
        return result
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# Beside the sites (never served): the addresses each site was built for, so `kb serve` can tell a build made
# for another service (or none: `kb build` without --service-url) and rebuild it
BUILT_FOR_FILE = ".kb-built-for.json"


def site_addresses(options: BuildOptions) -> dict[str, str]:
    """What a built site depends on of where it is served: its links, feedback service and contact URL."""
    return {
        "base_url": options.base_url or "",
        "service_url": options.service_url,
        "contact_url": options.contact_url,
    }


def built_for(out_dir: Path) -> dict[str, dict[str, str]]:
    """audience -> the addresses its current build was made for (empty for sites built before kb recorded them)."""
    try:
        recorded = json.loads((out_dir / BUILT_FOR_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def _record_addresses(out_dir: Path, audience: str, options: BuildOptions) -> None:
    recorded = built_for(out_dir)
    recorded[audience] = site_addresses(options)
    write_atomically(out_dir / BUILT_FOR_FILE, json.dumps(recorded, indent=2) + "\n")


def _run(build: SiteBuild, config_paths: list[Path], strict: bool, history_file: Path) -> str | None:
    # -P: the current folder (maybe the repository, with a pull request's .py files) is not on sys.path
    command = [
        sys.executable,
        "-P",
        "-m",
        "site_plugins.worker",
        *(["--strict"] if strict else []),
        *map(str, config_paths),
    ]
    env = {**os.environ, "PYTHONWARNINGS": "ignore", HISTORY_FILE_ENV: str(history_file)}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    build.seconds = time.perf_counter() - started
    build.log = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        return f"{build.audience} site failed:\n{build.log}"
    return None


def _swap(new: Path, target: Path) -> Path:
    """Point `target` (a symlink) at the newly built `new`, atomically, then delete the previous build.

    Readers (the service) follow the link: they see the old site or the new one, never a mix or nothing.
    """
    release = target.with_name(f".{target.name}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}")
    new.rename(release)
    previous = target.resolve() if target.is_symlink() else None
    if target.exists() and not target.is_symlink():  # a plain folder from an older kb: move it aside
        target.rename(target.with_name(f".{target.name}-replaced-{os.getpid()}"))
        previous = target.with_name(f".{target.name}-replaced-{os.getpid()}")
    link = target.with_name(f".{target.name}-link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(release.name)
    os.replace(link, target)
    if previous is not None and previous != release:
        shutil.rmtree(previous, ignore_errors=True)
    return target

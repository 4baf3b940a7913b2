"""The sites' interface text per language, as data: kb's own files, extended by the knowledge base's.

kb ships `kbtools/strings/<lang>.yml`: English, French and Spanish (the languages `kb init` has labels in).
`kbtools/strings/en.yml` declares the keys; a knowledge base adds a language, or rewords a shipped one, in
`content/strings/<lang>.yml`, which may set only those keys. A key no file gives in a language is shown in
English, and `kb lint` names it (missing-site-string). One reader for the site build, `kb lint` and
`kb readiness`.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kbtools.model.errors import ContentError
from kbtools.model.project import CONTENT_DIR
from kbtools.model.yamlsource import load_yaml, read_yaml_file

FALLBACK_LANGUAGE = "en"  # the language whose file declares the keys, shown where a translation is missing
KB_STRINGS_DIR = "strings"  # content/strings/<lang>.yml in a knowledge base


@dataclass(frozen=True)
class StringsProblem:
    """A problem in a strings file (or a language with strings missing), with file, line and key."""

    path: Path
    line: int
    message: str
    key: str | None = None
    missing: tuple[str, ...] = ()  # a missing-strings problem: the keys no file gives in the language


@dataclass
class StringsFile:
    path: Path
    lang: str
    texts: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[StringsProblem] = field(default_factory=list)


def _read(path: Path, lang: str, text: str | None = None) -> StringsFile:
    """Read a strings file (`text` when given, else the file, refusing links and hostile YAML)."""
    found = StringsFile(path, lang)
    try:
        source = load_yaml(text, path) if text is not None else read_yaml_file(path)
    except ContentError as exc:
        found.problems.append(StringsProblem(path, exc.line or 1, exc.message, exc.key))
        return found
    if source.data is None:
        return found
    if not isinstance(source.data, dict):
        found.problems.append(StringsProblem(path, 1, "a strings file maps each key to its text in the language"))
        return found
    for key_path, line in source.duplicate_keys:
        found.problems.append(StringsProblem(path, line, "key defined twice", ".".join(key_path)))
    # The keys as written, in order (YAML 1.1 reads an unquoted yes, no, on or off as a boolean)
    written = list(dict.fromkeys(key_path[0] for key_path in source.lines if len(key_path) == 1))
    for (key, value), as_written in zip(source.data.items(), written, strict=False):
        line = source.line_of(as_written)
        if not isinstance(key, str):
            message = f"YAML reads {as_written} as {key!r}, not as a key: quote it ('{as_written}': ...)"
            found.problems.append(StringsProblem(path, line, message, as_written))
            continue
        if not isinstance(value, str) or not value.strip():
            found.problems.append(StringsProblem(path, line, "give the text as a non-empty string", str(key)))
            continue
        found.texts[str(key)] = value
        found.lines[str(key)] = line
    return found


@functools.cache
def shipped(lang: str) -> StringsFile | None:
    """kb's own strings file for `lang`, or None when kb ships none."""
    resource = resources.files("kbtools") / KB_STRINGS_DIR / f"{lang}.yml"
    if not resource.is_file():
        return None
    return _read(Path(str(resource)), lang, resource.read_text(encoding="utf-8"))


def declared_keys() -> tuple[str, ...]:
    """Every interface string's key, in the order of the English file that declares them."""
    english = shipped(FALLBACK_LANGUAGE)
    assert english is not None and not english.problems, "kb's own en.yml is shipped and valid"
    return tuple(english.texts)


def shipped_languages() -> tuple[str, ...]:
    folder = resources.files("kbtools") / KB_STRINGS_DIR
    return tuple(sorted(item.name.removesuffix(".yml") for item in folder.iterdir() if item.name.endswith(".yml")))


class SiteStrings:
    """The interface text of one knowledge base: kb's files, then the knowledge base's own on top."""

    def __init__(self, kb_root: Path):
        self.folder = Path(kb_root) / CONTENT_DIR / KB_STRINGS_DIR

    def path(self, lang: str) -> Path:
        return self.folder / f"{lang}.yml"

    @functools.cached_property
    def own(self) -> dict[str, StringsFile]:
        """lang -> the knowledge base's strings file for it (only the files that exist)."""
        if not self.folder.is_dir() or self.folder.is_symlink():
            return {}
        return {
            path.name.removesuffix(".yml"): _read(path, path.name.removesuffix(".yml"))
            for path in sorted(self.folder.glob("*.yml"))
        }

    def given(self, lang: str) -> dict[str, str]:
        """The declared keys some file gives in `lang` (kb's, then the knowledge base's), without fallback."""
        keys = set(declared_keys())
        texts: dict[str, str] = {}
        for found in (shipped(lang), self.own.get(lang)):
            if found is not None:
                texts.update({key: text for key, text in found.texts.items() if key in keys})
        return texts

    def texts(self, lang: str) -> dict[str, str]:
        """Every key's text in `lang`, English where no file gives one."""
        english = shipped(FALLBACK_LANGUAGE)
        assert english is not None
        return {**english.texts, **self.given(FALLBACK_LANGUAGE), **self.given(lang)}

    def missing(self, lang: str) -> tuple[str, ...]:
        given = self.given(lang)
        return tuple(key for key in declared_keys() if key not in given)

    def problems(self, languages: Iterable[str], where_declared: dict[str, tuple[Path, int]]) -> list[StringsProblem]:
        """Unknown keys, bad values, files for undeclared languages, and the keys each declared language misses
        (reported in its strings file when it has one, else where taxonomy.yml declares the language)."""
        languages = list(languages)
        keys = set(declared_keys())
        found: list[StringsProblem] = []
        for lang, own in self.own.items():
            found.extend(own.problems)
            if lang not in languages:
                found.append(
                    StringsProblem(
                        own.path, 1, f"'{lang}' is not a language taxonomy.yml declares ({', '.join(languages)})"
                    )
                )
                continue
            for key, line in own.lines.items():
                if key not in keys:
                    found.append(StringsProblem(own.path, line, _unknown_key_message(key, keys), key))
        for lang in languages:
            missing = self.missing(lang)
            if not missing:
                continue
            file = self.own.get(lang)
            path, line = (file.path, 1) if file else where_declared[lang]
            found.append(
                StringsProblem(
                    path,
                    line,
                    f"{len(missing)} interface string{'s' * (len(missing) != 1)} missing in '{lang}' (shown in "
                    f"English; add them to {CONTENT_DIR}/{KB_STRINGS_DIR}/{lang}.yml): {', '.join(missing)}",
                    missing=missing,
                )
            )
        return found


def _unknown_key_message(key: str, keys: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(keys), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown interface string '{key}'{hint}: the keys are those of kb's strings/en.yml"


@functools.cache
def site_strings(kb_root: str) -> SiteStrings:
    """One reader per knowledge base and process (a site process builds every language one after another)."""
    return SiteStrings(Path(kb_root))

"""`content/taxonomy.yml`: languages, teams, queues, categories, tags and case reasons.

Every value front-matter may take from the taxonomy is checked against this one file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbtools.model.durations import Interval, parse_interval
from kbtools.model.errors import ContentError, KbError
from kbtools.model.vocabulary import AUDIENCES, CONTENT_TYPES, Audience
from kbtools.model.yamlsource import YamlSource, read_yaml_file

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")


class TaxonomyError(KbError):
    """The taxonomy file has one or more problems; `problems` names each file, line and key."""

    def __init__(self, problems: list[ContentError]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


Labels = dict[str, str]


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    site_name: str | None = None  # the help center's name in this language (default: mkdocs.yml site_name)
    footer: str | None = None  # the footer text in this language (default: mkdocs.yml copyright)
    # False while the market is being prepared: the sites build it, `kb readiness` is its checklist, and lint
    # leaves its missing translations (and links to untranslated pages) to that report
    launched: bool = True


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    handle: str | None = None


@dataclass(frozen=True)
class Queue:
    id: str
    name: str
    languages: tuple[str, ...] | None = None  # the languages its agents answer in; None: every language

    def serves(self, lang: str) -> bool:
        return self.languages is None or lang in self.languages


@dataclass(frozen=True)
class Category:
    id: str
    labels: Labels
    descriptions: Labels
    owner: str
    audience: str = Audience.PUBLIC.value


@dataclass(frozen=True)
class SubReason:
    id: str
    labels: Labels
    queue: str


@dataclass(frozen=True)
class CaseReason:
    id: str
    labels: Labels
    sub_reasons: dict[str, SubReason]


@dataclass
class Taxonomy:
    path: Path
    languages: list[Language]
    teams: dict[str, Team]
    queues: dict[str, Queue]
    categories: dict[str, Category]
    tags: dict[str, Labels]
    case_reasons: dict[str, CaseReason]
    review_intervals: dict[str, Interval] = field(default_factory=dict)
    placeholders: dict[str, str] = field(default_factory=dict)
    platform_owner: str | None = None  # the team that reviews mkdocs.yml, taxonomy.yml and .github/
    # Page ids the help center's home page shows when the service has no popular articles (or is not there),
    # each with its line in taxonomy.yml (lint names it when the id is unknown, internal or a draft)
    featured: list[tuple[str, int | None]] = field(default_factory=list)
    category_lines: dict[str, int] = field(default_factory=dict)  # where each category is declared
    language_lines: dict[str, int] = field(default_factory=dict)  # where each language is declared

    @property
    def default_language(self) -> str:
        return self.languages[0].code

    @property
    def language_codes(self) -> list[str]:
        return [language.code for language in self.languages]

    def is_launched(self, lang: str) -> bool:
        return next((language.launched for language in self.languages if language.code == lang), False)

    def label(self, labels: Labels, lang: str) -> str:
        """The label in `lang`, falling back to the default language."""
        return labels.get(lang) or labels.get(self.default_language) or next(iter(labels.values()), "")

    def tag_label(self, tag: str, lang: str) -> str:
        return self.label(self.tags.get(tag, {}), lang) or tag

    def sub_reason(self, case_reason: str) -> SubReason | None:
        """The sub-reason named by `reason/sub-reason`, or None if the taxonomy has no such pair."""
        reason, _, sub = case_reason.partition("/")
        found = self.case_reasons.get(reason)
        return found.sub_reasons.get(sub) if found else None

    def case_reason_label(self, case_reason: str, lang: str) -> str | None:
        """'Payment › Refund request' for 'payment/refund-request', in `lang`; None for an unknown pair."""
        sub = self.sub_reason(case_reason)
        if sub is None:
            return None
        reason = self.case_reasons[case_reason.partition("/")[0]]
        return f"{self.label(reason.labels, lang)} › {self.label(sub.labels, lang)}"

    def case_reason_paths(self) -> list[str]:
        return [f"{r.id}/{s}" for r in self.case_reasons.values() for s in r.sub_reasons]


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and check the taxonomy; raise TaxonomyError listing every problem found."""
    try:
        source = read_yaml_file(path)
    except ContentError as exc:  # unreadable or hostile YAML: one problem, reported like the others
        raise TaxonomyError([exc]) from None
    return _TaxonomyReader(path, source).read()


class _TaxonomyReader:
    def __init__(self, path: Path, source: YamlSource):
        self.path = path
        self.source = source
        self.problems: list[ContentError] = []

    def problem(self, message: str, *key: str) -> None:
        self.problems.append(ContentError(self.path, message, self.source.line_of(*key), ".".join(key) or None))

    def read(self) -> Taxonomy:
        data = self.source.data
        if not isinstance(data, dict):
            raise TaxonomyError([ContentError(self.path, "the taxonomy must be a mapping of sections", 1)])
        for key_path, line in self.source.duplicate_keys:
            self.problems.append(ContentError(self.path, "key defined twice", line, ".".join(key_path)))
        languages = self.languages(data.get("languages"))
        codes = [language.code for language in languages]
        teams = {
            team_id: Team(team_id, self.text(value, "name", "teams", team_id), _optional_str(value, "handle"))
            for team_id, value in self.section(data, "teams").items()
        }
        queues = {
            queue_id: Queue(
                queue_id,
                self.text(value, "name", "queues", queue_id),
                self.language_list(value, codes, "queues", queue_id),
            )
            for queue_id, value in self.section(data, "queues").items()
        }
        categories = {
            category_id: self.category(category_id, value, codes, teams)
            for category_id, value in self.section(data, "categories").items()
        }
        tags = {
            tag: self.labels(value, codes, "tags", tag, required=False)
            for tag, value in self.section(data, "tags", required=False).items()
        }
        case_reasons = {
            reason_id: self.case_reason(reason_id, value, codes, queues)
            for reason_id, value in self.section(data, "case_reasons").items()
        }
        taxonomy = Taxonomy(
            path=self.path,
            languages=languages,
            teams=teams,
            queues=queues,
            categories=categories,
            tags=tags,
            case_reasons=case_reasons,
            review_intervals=self.review_intervals(data.get("review_intervals") or {}),
            placeholders=self.placeholders(data.get("placeholders") or {}),
            platform_owner=self.platform_owner(data.get("platform_owner"), teams),
            featured=self.featured(data.get("featured")),
            category_lines={category: self.source.line_of("categories", category) for category in categories},
            language_lines={
                language.code: self.source.line_of("languages", str(index)) for index, language in enumerate(languages)
            },
        )
        for key in data:
            if key not in _SECTIONS:
                self.problem(f"unknown section; expected one of: {', '.join(_SECTIONS)}", str(key))
        if self.problems:
            raise TaxonomyError(self.problems)
        return taxonomy

    def section(self, data: dict[str, Any], name: str, required: bool = True) -> dict[str, Any]:
        value = data.get(name)
        if value is None:
            if required:
                self.problem(f"missing section '{name}'")
            return {}
        if not isinstance(value, dict):
            self.problem("must be a mapping of id: definition", name)
            return {}
        for item_id in value:
            if not isinstance(item_id, str) or not SLUG.match(item_id):
                self.problem("ids are lowercase words joined by hyphens (e.g. 'card-limits')", name, str(item_id))
        return value

    def languages(self, value: Any) -> list[Language]:
        if not isinstance(value, list) or not value:
            self.problem("list the languages, the default (source) language first", "languages")
            return [Language("en", "English")]
        languages = []
        for index, item in enumerate(value):
            code = item.get("code") if isinstance(item, dict) else None
            if not isinstance(code, str) or not LANGUAGE_CODE.match(code):
                self.problem("each language needs a 'code' such as en, fr or pt-BR", "languages", str(index))
                continue
            languages.append(
                Language(
                    code,
                    str(item.get("name") or code),
                    self.optional_text(item, "site_name", "languages", str(index)),
                    self.optional_text(item, "footer", "languages", str(index)),
                    self.flag(item, "launched", "languages", str(index)),
                )
            )
            for key in item:
                if key not in _LANGUAGE_KEYS:
                    expected = ", ".join(_LANGUAGE_KEYS)
                    self.problem(f"unknown key; expected {expected}", "languages", str(index), str(key))
        return languages or [Language("en", "English")]

    def language_list(self, value: Any, codes: list[str], *where: str) -> tuple[str, ...] | None:
        found = value.get("languages") if isinstance(value, dict) else None
        if found is None:
            return None
        if not isinstance(found, list) or not all(isinstance(code, str) and code in codes for code in found):
            self.problem(f"list declared languages ({', '.join(codes)})", *where, "languages")
            return None
        return tuple(found)

    def flag(self, value: dict[str, Any], key: str, *where: str, default: bool = True) -> bool:
        found = value.get(key, default)
        if not isinstance(found, bool):
            self.problem("true or false", *where, key)
            return default
        return found

    def optional_text(self, value: dict[str, Any], key: str, *where: str) -> str | None:
        found = value.get(key)
        if found is None:
            return None
        if not isinstance(found, str) or not found.strip():
            self.problem("give a non-empty text", *where, key)
            return None
        return found.strip()

    def featured(self, value: Any) -> list[tuple[str, int | None]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem("list the ids of the pages the home page features", "featured")
            return []
        featured: list[tuple[str, int | None]] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not SLUG.match(item):
                self.problem("a page id: lowercase words joined by hyphens (e.g. 'a-refund')", "featured", str(index))
                continue
            featured.append((item, self.source.line_of("featured", str(index))))
        return featured

    def text(self, value: Any, key: str, *where: str) -> str:
        found = value.get(key) if isinstance(value, dict) else None
        if not isinstance(found, str) or not found.strip():
            self.problem(f"missing '{key}'", *where)
            return where[-1]
        return found

    def labels(self, value: Any, codes: list[str], *where: str, required: bool = True) -> Labels:
        if isinstance(value, str):
            return {codes[0]: value}
        if not isinstance(value, dict):
            self.problem("give a label per language, e.g. {en: Cards, fr: Cartes}", *where)
            return {}
        for code in value:
            if code not in codes:
                self.problem(f"'{code}' is not a declared language", *where, str(code))
        if required:
            for code in codes:
                if not value.get(code):
                    self.problem(f"missing the '{code}' label", *where)
        return {str(code): str(label) for code, label in value.items()}

    def category(self, category_id: str, value: Any, codes: list[str], teams: dict[str, Team]) -> Category:
        where = ("categories", category_id)
        if not isinstance(value, dict):
            self.problem("a category needs label, owner and optional description and audience", *where)
            return Category(category_id, {}, {}, "")
        owner = value.get("owner")
        if owner not in teams:
            self.problem(f"owner must be one of the teams: {', '.join(teams)}", *where, "owner")
        audience = value.get("audience", Audience.PUBLIC.value)
        if audience not in AUDIENCES:
            self.problem("audience is public or internal", *where, "audience")
        descriptions = value.get("description") or {}
        return Category(
            id=category_id,
            labels=self.labels(value.get("label"), codes, *where, "label"),
            descriptions=self.labels(descriptions, codes, *where, "description", required=False),
            owner=str(owner),
            audience=str(audience),
        )

    def case_reason(self, reason_id: str, value: Any, codes: list[str], queues: dict[str, Queue]) -> CaseReason:
        where = ("case_reasons", reason_id)
        if not isinstance(value, dict) or not isinstance(value.get("sub_reasons"), dict):
            self.problem("a case reason needs a label and sub_reasons", *where)
            return CaseReason(reason_id, {}, {})
        subs = {}
        for sub_id, sub in value["sub_reasons"].items():
            sub_where = (*where, "sub_reasons", str(sub_id))
            if not isinstance(sub, dict):
                self.problem("a sub-reason needs a label and a queue", *sub_where)
                continue
            if sub.get("queue") not in queues:
                self.problem(f"queue must be one of: {', '.join(queues)}", *sub_where, "queue")
            subs[str(sub_id)] = SubReason(
                str(sub_id), self.labels(sub.get("label"), codes, *sub_where, "label"), str(sub.get("queue"))
            )
        return CaseReason(reason_id, self.labels(value.get("label"), codes, *where, "label"), subs)

    def review_intervals(self, value: Any) -> dict[str, Interval]:
        intervals: dict[str, Interval] = {}
        if not isinstance(value, dict):
            self.problem("map each content type to an interval such as 180d", "review_intervals")
            return intervals
        for content_type, text in value.items():
            if content_type not in CONTENT_TYPES:
                self.problem(f"unknown type; types are {', '.join(CONTENT_TYPES)}", "review_intervals", content_type)
                continue
            try:
                intervals[content_type] = parse_interval(text)
            except ValueError as exc:
                self.problem(str(exc), "review_intervals", content_type)
        return intervals

    def platform_owner(self, value: Any, teams: dict[str, Team]) -> str | None:
        if value is None:
            return None
        if value not in teams:
            self.problem(f"platform_owner must be one of the teams: {', '.join(teams)}", "platform_owner")
            return None
        return str(value)

    def placeholders(self, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            self.problem("map each placeholder name to a description", "placeholders")
            return {}
        return {str(name): str(description) for name, description in value.items()}


_SECTIONS = (
    "languages",
    "teams",
    "queues",
    "categories",
    "tags",
    "case_reasons",
    "review_intervals",
    "placeholders",
    "platform_owner",
    "featured",
)
_LANGUAGE_KEYS = ("code", "name", "site_name", "footer", "launched")


def _optional_str(value: Any, key: str) -> str | None:
    found = value.get(key) if isinstance(value, dict) else None
    return str(found) if found else None

"""The front-matter schema: one declaration that lint, build, search and service all rely on.

`FIELDS` is also the source of the front-matter reference in docs/writers.md (see `kbtools.cli.reference`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from kbtools.model.durations import parse_interval
from kbtools.model.macros import ActionContext, check_actions
from kbtools.model.taxonomy import CONTENT_TYPES, SLUG, Taxonomy
from kbtools.model.vocabulary import AUDIENCES, INTERNAL_ONLY_TYPES, STATUSES, Audience

_COMMIT = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass(frozen=True)
class Problem:
    rule: str
    message: str
    subkey: str | None = None


@dataclass(frozen=True)
class CheckContext:
    taxonomy: Taxonomy
    lang: str
    content_type: str | None
    today: date

    @property
    def is_translation(self) -> bool:
        return self.lang != self.taxonomy.default_language


Check = Callable[[Any, CheckContext], list[Problem]]


@dataclass(frozen=True)
class Field:
    name: str
    required: bool
    kind: str
    description: str
    example: str
    check: Check
    types: tuple[str, ...] = CONTENT_TYPES  # content types the key applies to


def did_you_mean(value: object, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _invalid(message: str) -> list[Problem]:
    return [Problem("invalid-value", message)]


def _text(max_length: int) -> Check:
    def check(value: Any, _: CheckContext) -> list[Problem]:
        if not isinstance(value, str) or not value.strip():
            return _invalid(f"expected text, got {value!r}")
        if len(value) > max_length:
            over = len(value) - max_length
            return _invalid(f"at most {max_length} characters: this is {len(value)}, {over} too many")
        return []

    return check


def _slug(value: Any, _: CheckContext) -> list[Problem]:
    if not isinstance(value, str) or not SLUG.match(value):
        return _invalid(f"{value!r} is not an id: use lowercase words joined by hyphens, e.g. 'card-not-received'")
    return []


def _one_of(choices: tuple[str, ...]) -> Check:
    def check(value: Any, _: CheckContext) -> list[Problem]:
        if value in choices:
            return []
        return _invalid(f"{value!r} is not one of {', '.join(choices)}{did_you_mean(value, choices)}")

    return check


def _audience(value: Any, context: CheckContext) -> list[Problem]:
    problems = _one_of(AUDIENCES)(value, context)
    if not problems and value == Audience.PUBLIC and context.content_type in INTERNAL_ONLY_TYPES:
        problems.append(Problem("audience", f"a {context.content_type} is for agents only: audience: internal"))
    return problems


def _taxonomy_value(section: str, choices: Callable[[Taxonomy], list[str]]) -> Check:
    def check(value: Any, context: CheckContext) -> list[Problem]:
        known = choices(context.taxonomy)
        if isinstance(value, str) and value in known:
            return []
        hint = did_you_mean(value, known)
        return [Problem("taxonomy-value", f"{value!r} is not one of the {section} in taxonomy.yml{hint}")]

    return check


_category = _taxonomy_value("categories", lambda t: list(t.categories))
_owner = _taxonomy_value("teams", lambda t: list(t.teams))
_case_reason = _taxonomy_value("case reasons (reason/sub-reason)", lambda t: t.case_reason_paths())


def _tags(value: Any, context: CheckContext) -> list[Problem]:
    if not isinstance(value, list):
        return _invalid("expected a list of tag ids, e.g. [refund, chargeback]")
    problems = []
    known = list(context.taxonomy.tags)
    if not all(isinstance(tag, str) for tag in value):
        return _invalid("expected a list of tag ids, e.g. [refund, chargeback], not nested lists or mappings")
    for tag in value:
        if tag not in context.taxonomy.tags:
            problems.append(
                Problem("taxonomy-value", f"{tag!r} is not one of the tags in taxonomy.yml{did_you_mean(tag, known)}")
            )
    if len(set(map(str, value))) != len(value):
        problems.append(Problem("invalid-value", "a tag is listed twice"))
    return problems


def _string_list(what: str) -> Check:
    def check(value: Any, _: CheckContext) -> list[Problem]:
        if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
            return _invalid(f"expected a list of {what}")
        return []

    return check


def _date(value: Any, _: CheckContext) -> list[Problem]:
    if isinstance(value, date):
        return []
    return _invalid(f"expected a date written YYYY-MM-DD, got {value!r}")


def _reviewed(value: Any, context: CheckContext) -> list[Problem]:
    problems = _date(value, context)
    if not problems and value > context.today:
        problems.append(Problem("invalid-value", f"{value} is in the future"))
    return problems


def _order(value: Any, _: CheckContext) -> list[Problem]:
    # bool is an int in Python: `order: yes` is a mistake, not position 1
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1_000_000:
        return _invalid(f"expected a whole number from 0 to 1000000 (lower comes first), got {value!r}")
    return []


_ALIAS = re.compile(r"^(?:[A-Za-z0-9._~%!$&'()*+,;=:@-]+/)*[A-Za-z0-9._~%!$&'()*+,;=:@-]*/?$")


def _aliases(value: Any, context: CheckContext) -> list[Problem]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        return _invalid("expected a list of old paths, e.g. [hc/en-us/articles/360001-card-declined]")
    problems = []
    for index, alias in enumerate(value):
        path = alias_path(alias)
        parts = path.split("/")
        if not path or not _ALIAS.match(path) or any(part in (".", "..") for part in parts):
            problems.append(Problem("invalid-value", f"{alias!r} is not a path inside the site", str(index)))
        elif parts[0] in context.taxonomy.language_codes:
            problems.append(
                Problem("invalid-value", f"{alias!r} starts with a language folder of the site", str(index))
            )
    return problems


def alias_path(alias: str) -> str:
    """An alias as the folder it is published at: '/hc/en-us/articles/1-x' -> 'hc/en-us/articles/1-x'.

    One definition for lint and the build: an alias is a path from the root of the site, with or without
    its leading or trailing slash or an '.html' ending.
    """
    path = alias.strip().partition("#")[0].partition("?")[0].strip("/")
    return path.removesuffix(".html").removesuffix("/index")


def _interval(value: Any, _: CheckContext) -> list[Problem]:
    try:
        parse_interval(value)
    except ValueError as exc:
        return _invalid(str(exc))
    return []


def _source_commit(value: Any, context: CheckContext) -> list[Problem]:
    if not context.is_translation:
        return [Problem("invalid-value", "only translations record the commit they were translated from")]
    if not isinstance(value, str) or not _COMMIT.match(value):
        return _invalid(f"expected a git commit id (7 to 40 hex digits), got {value!r}")
    return []


def _actions(value: Any, context: CheckContext) -> list[Problem]:
    action_context = ActionContext(
        queues=frozenset(context.taxonomy.queues), case_reasons=frozenset(context.taxonomy.case_reason_paths())
    )
    return [Problem("macro-action", message, name) for name, message in check_actions(value, action_context)]


FIELDS: tuple[Field, ...] = (
    Field(
        "id",
        True,
        "id",
        "Stable identifier, the same in every language and unique per language. "
        "Never change it once published: links, votes and statistics follow it.",
        "card-payment-declined",
        _slug,
    ),
    Field("title", True, "text", "Page title, in the file's language.", "My card payment was declined", _text(120)),
    Field(
        "type",
        True,
        "one of " + ", ".join(CONTENT_TYPES),
        "article (how-to), troubleshooting (symptom to fix), sop (internal procedure), macro (canned reply), "
        "autoreply (the reply to a new ticket, with the articles kb suggests).",
        "troubleshooting",
        _one_of(CONTENT_TYPES),
    ),
    Field(
        "audience",
        True,
        "public or internal",
        "public: help center and wiki; internal: agent wiki only. SOPs, macros and auto-replies are always internal.",
        "public",
        _audience,
    ),
    Field(
        "status",
        False,
        "one of " + ", ".join(STATUSES),
        "Only published files are built and indexed. Default: published.",
        "published",
        _one_of(STATUSES),
    ),
    Field(
        "category", True, "category id", "Category from taxonomy.yml; sets the navigation section.", "cards", _category
    ),
    Field(
        "tags",
        False,
        "list of tag ids",
        "Tags from taxonomy.yml; each has a tag page.",
        "[declined-payment, 3d-secure]",
        _tags,
    ),
    Field(
        "case_reason",
        False,
        "reason/sub-reason",
        "The case reason agents log on tickets this page answers; routes to the sub-reason's queue.",
        "card/declined",
        _case_reason,
    ),
    Field(
        "owner",
        True,
        "team id",
        "Team from taxonomy.yml responsible for keeping the page right.",
        "cards-payments",
        _owner,
    ),
    Field("reviewed", True, "date", "Date of the last review of the content (YYYY-MM-DD).", "2026-10-14", _reviewed),
    Field(
        "review_interval",
        False,
        "interval",
        "How long a review holds (30d, 8w, 6m, 1y). Default: the type's interval in taxonomy.yml.",
        "90d",
        _interval,
    ),
    Field("review_by", False, "date", "Fixed date of the next review; overrides review_interval.", "2027-01-31", _date),
    Field(
        "keywords",
        False,
        "list of text",
        "Words and phrases customers and agents use for this problem; weighted in search as synonyms.",
        "[card refused, transaction rejected]",
        _string_list("words or phrases"),
    ),
    Field(
        "summary",
        False,
        "text",
        "One sentence for listings, search results and meta descriptions. For a macro: when to use it.",
        "Why a card payment is declined and how to fix it.",
        _text(300),
    ),
    Field(
        "related",
        False,
        "list of ids",
        "Ids of related pages, listed under the page ('Related articles') where the site publishes them.",
        "[change-card-limits]",
        _string_list("page ids"),
    ),
    Field(
        "order",
        False,
        "whole number",
        "Position of the page within its category (lower first); pages without one follow, by title.",
        "10",
        _order,
    ),
    Field(
        "aliases",
        False,
        "list of paths",
        "Old URLs of the page, as paths from the site's root; each redirects to the page on the site(s) that "
        "publish it. Set by `kb import` from the original URL.",
        "[hc/en-us/articles/360001-card-declined]",
        _aliases,
    ),
    Field(
        "source_commit",
        False,
        "commit id",
        "Translations only: the commit of the source-language file this translation was made from.",
        "3f2a9c1",
        _source_commit,
    ),
    Field(
        "actions",
        False,
        "mapping",
        "Macros only: ticket actions the macro applies (see the macro reference).",
        "{status: pending, group: billing-l2}",
        _actions,
        types=("macro",),
    ),
)

FIELDS += (
    Field(
        "experiment",
        False,
        "mapping",
        "An A/B test of this page (see Running an experiment). The canonical file: {id, variant, metric, "
        "min_sample, start, stop}; each variant file (a sibling with the same id): {id, variant}. Optional "
        "weight per file. Checked across files by the `experiment` rule.",
        "{id: steps-first, variant: control, metric: contact_rate, min_sample: 400, start: 2026-12-01, "
        "stop: 2027-01-31}",
        lambda value, context: [],  # the experiment rule checks the declaration with its variants
    ),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}

"""The domain's words, declared once: who a page is for, what kind of page it is, where it stands, what readers
send and where from.

Everything that names one of these (the content schema, the taxonomy, click choices, the API's models and
event validation, the reports, site strings, search filters) takes it from here. The enumerations are
`StrEnum`s, so a member equals its text (`Audience.PUBLIC == "public"`); the `*_VALUES` tuples hold the plain
texts, in declaration order, for places that need `str` itself (YAML, JSON Schema enums, click choices).
"""

from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    """Who may read a page: customers on the help center, or agents only, on the wiki."""

    PUBLIC = "public"
    INTERNAL = "internal"


class ContentType(StrEnum):
    ARTICLE = "article"
    TROUBLESHOOTING = "troubleshooting"
    SOP = "sop"  # standard operating procedure, for agents
    MACRO = "macro"  # a canned reply agents copy into a ticket
    AUTOREPLY = "autoreply"  # the reply kb renders when a ticket arrives, with the articles it suggests


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class EventType(StrEnum):
    """What a site reports to the service (POST /api/v1/events)."""

    VIEW = "view"
    VOTE = "vote"
    SEARCH = "search"
    CONTACT = "contact"
    MACRO_USED = "macro_used"
    CONTACT_STEP = "contact_step"
    CONTACT_ANSWER = "contact_answer"


class FeedbackReason(StrEnum):
    """Why a reader said a page did not answer the question."""

    UNCLEAR = "unclear"
    INCORRECT = "incorrect"
    MISSING = "missing"
    NOT_WORKING = "not_working"
    OTHER = "other"


class Site(StrEnum):
    """The site an event or vote came from: the help center or the agent wiki (the sites of the audiences)."""

    PUBLIC = "public"
    INTERNAL = "internal"


class ReportSite(StrEnum):
    """Which site a report counts: one of the sites, or both."""

    PUBLIC = "public"
    INTERNAL = "internal"
    ALL = "all"


class ExperimentMetric(StrEnum):
    """What an experiment optimises: per reader of an article, or per ticket of an auto-reply."""

    HELPFUL_RATE = "helpful_rate"  # readers who voted "yes" among those who voted
    CONTACT_RATE = "contact_rate"  # readers who went on to contact support among those who saw the page
    RESOLUTION_RATE = "resolution_rate"  # tickets resolved by the auto-reply among those that got it


def values(enumeration: type[StrEnum]) -> tuple[str, ...]:
    """The plain texts of an enumeration's members, in declaration order."""
    return tuple(member.value for member in enumeration)


AUDIENCES = values(Audience)
CONTENT_TYPES = values(ContentType)
STATUSES = values(Status)
EVENT_TYPES = values(EventType)
FEEDBACK_REASONS = values(FeedbackReason)
SITES = values(Site)
REPORT_SITES = values(ReportSite)
EXPERIMENT_METRICS = values(ExperimentMetric)
# Types only agents read: they never go on the help center, whatever their audience says
INTERNAL_ONLY_TYPES = (ContentType.SOP.value, ContentType.MACRO.value, ContentType.AUTOREPLY.value)
# Types whose body is a reply sent to a customer: placeholders, the wiki's reply panel
REPLY_TYPES = (ContentType.MACRO.value, ContentType.AUTOREPLY.value)
# What a market needs in its language before go-live, by content type: `kb readiness --lang` counts these and
# `kb translations scaffold` drafts them (kbtools.governance.translations.market_content). Help-center types count their
# public pages; internal-only types (macros and auto-reply templates: replies customers read) count every page.
MARKET_TYPES = (
    ContentType.ARTICLE.value,
    ContentType.TROUBLESHOOTING.value,
    ContentType.MACRO.value,
    ContentType.AUTOREPLY.value,
)

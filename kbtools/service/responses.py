"""The reports' bodies, one pydantic model each: the OpenAPI description publishes them (`openapi.py`) and the
CSV export takes its columns from them.

Declared in the order the service writes the keys (JSON keys keep their order).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from kbtools.vocabulary import ReportSite


class InCsv:
    """Marks a field that is a column of the report's CSV export."""


IN_CSV = InCsv()

Count = Annotated[int, Field(ge=0)]
Rate = Annotated[float, Field(ge=0, le=1)] | None
Title = Annotated[str | None, Field(description="Null when the page is no longer published.")]


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Report(ResponseModel):
    """A report's period (both days included) and language filter."""

    first: date = Field(alias="from", description="First day of the period.")
    last: date = Field(alias="to", description="Last day of the period (included).")
    lang: str | None = Field(description="The language asked for; null: all.")


class VersionStats(ResponseModel):
    version: str | None
    views: Count
    sessions: Count
    votes_up: Count
    votes_down: Count
    contact_sessions: Count
    helpful_rate: Rate
    helpful_lower_bound: Rate
    contact_rate: Rate


class ArticleRow(ResponseModel):
    article: str
    lang: str
    views: Count
    sessions: Count
    votes_up: Count
    votes_down: Count
    contact_sessions: Count
    helpful_rate: Rate
    helpful_lower_bound: Rate
    contact_rate: Rate
    title: Title
    versions: list[VersionStats] = Field(description="The same statistics per version (commit) of the page.")


class ArticleStats(Report):
    site: ReportSite = Field(description="The site counted.")
    articles: list[ArticleRow]


class MacroRow(ResponseModel):
    article: str
    lang: str
    copies: Count = Field(description="Copies of the reply (macro_used events).")
    sessions: Count = Field(description="Agents' browser tabs that copied it.")
    title: Title


class MacroStats(Report):
    macros: list[MacroRow] = Field(description="Most copied first.")


class DeflectionTotal(ResponseModel):
    sessions: Annotated[Count, IN_CSV]
    view_sessions: Annotated[Count, IN_CSV]
    contact_sessions: Annotated[Count, IN_CSV]
    deflection_rate: Annotated[Annotated[float, Field(le=1)] | None, IN_CSV]
    self_service_score: Annotated[Annotated[float, Field(ge=0)] | None, IN_CSV]
    contact_step_sessions: Count
    contact_step_answer_sessions: Count
    contact_step_deflected_sessions: Count
    contact_step_deflection_rate: Rate


# A day's row: its day, then the total's fields (the key comes first, in the JSON and in the CSV)
DeflectionDay: Any = create_model(  # type: ignore[call-overload]
    "DeflectionDay",
    __base__=ResponseModel,
    day=(Annotated[date, IN_CSV], ...),
    **{name: (field.annotation, field) for name, field in DeflectionTotal.model_fields.items()},
)


class Deflection(Report):
    days: list[DeflectionDay] = Field(description="Days with help-center sessions.")
    total: DeflectionTotal


class Gaps(Report):
    no_results: list[dict[str, Any]] = Field(
        description="Searches with no result by normalised query and language; `gap`: content or translation."
    )
    followed_by_contact: list[dict[str, Any]] = Field(description="Searches followed by a contact in the same session.")


class AutoreplyTotals(ResponseModel):
    tickets: Count = Field(description="Tickets the helpdesk sent to POST /api/v1/autoreply.")
    with_suggestions: Count = Field(description="Tickets kb suggested at least one article to.")
    clicked: Count = Field(description="Tickets with a suggested link opened.")
    solved: Count = Field(description="Tickets whose customer answered 'Yes, this solved my request'.")
    click_through_rate: Rate = Field(description="clicked / with_suggestions.")
    resolution_rate: Rate = Field(description="solved / with_suggestions.")


class AutoreplyByLanguage(AutoreplyTotals):
    lang: str


class AutoreplyByCaseReason(AutoreplyTotals):
    case_reason: str | None = Field(description="Null: tickets sent without one.")


class AutoreplyByChannel(AutoreplyTotals):
    channel: str | None = Field(description="Null: tickets sent without one.")


class AutoreplyArticle(ResponseModel):
    article: str
    lang: str
    suggested: Count = Field(description="Times it was suggested.")
    clicked: Count = Field(description="Of those, links opened.")
    solved: Count
    not_solved: Count
    click_through_rate: Rate
    resolution_rate: Rate = Field(description="solved / suggested.")
    title: Title


class AutoreplyGap(ResponseModel):
    case_reason: str | None
    lang: str
    tickets: Count = Field(description="Tickets kb found no article confident enough to suggest.")


class Autoreplies(Report):
    case_reason: str | None = Field(description="The case reason asked for; null: all.")
    channel: str | None = Field(description="The channel asked for; null: all.")
    total: AutoreplyTotals
    by_language: list[AutoreplyByLanguage]
    by_case_reason: list[AutoreplyByCaseReason]
    by_channel: list[AutoreplyByChannel]
    articles: list[AutoreplyArticle] = Field(description="Most suggested first.")
    no_suggestion: list[AutoreplyGap] = Field(description="Content gaps: tickets with no suggestion, most first.")


REPORTS: tuple[type[ResponseModel], ...] = (ArticleStats, MacroStats, Deflection, Gaps, Autoreplies)


class SuggestedArticle(ResponseModel):
    id: str
    title: str
    url: str = Field(description="The tracking link to put in the reply: /r/<token> on kb's service.")
    article_url: str = Field(description="The article itself on the help center (no tracking).")


class AutoreplyAnswer(ResponseModel):
    """POST /api/v1/autoreply's answer: what to send the customer, or nothing."""

    ticket_id: str
    lang: str
    confidence: float = Field(ge=0, description="The best article's confidence (see `threshold`).")
    threshold: float = Field(ge=0, description="The confidence needed to suggest anything (a setting).")
    articles: list[SuggestedArticle] = Field(description="At most 3, best first; empty when not confident.")
    template: str | None = Field(description="Id of the auto-reply template used; null when nothing is suggested.")
    reply: str | None = Field(description="The reply in Markdown; null when nothing is suggested (send nothing).")
    reply_html: str | None = Field(description="The same reply as HTML.")
    expires_at: str | None = Field(description="When the tracking links stop working (ISO 8601, UTC).")


class OutcomeAnswer(ResponseModel):
    recorded: Literal["solved", "not_solved"]


def csv_columns(model: type[ResponseModel]) -> list[str]:
    """The CSV export's columns: the fields marked IN_CSV, in declared order."""
    return [name for name, field in model.model_fields.items() if IN_CSV in field.metadata]

"""The reports' bodies, one pydantic model each: the OpenAPI description publishes them (`openapi.py`) and the
CSV export takes its columns from them.

Declared in the order the service writes the keys (JSON keys keep their order).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from kbtools.model.vocabulary import Audience, ContentType, ReportSite


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


class FieldProblem(ResponseModel):
    field: str = Field(description="The parameter or body field, e.g. `events[2].article`, or `(body)`.")
    message: str


class ErrorBody(ResponseModel):
    """Every 4xx and 5xx of the API: a code, a sentence, and for a 422 every bad field at once."""

    error: str = Field(description="A code: invalid_parameters, invalid_events, not_found...")
    message: str
    errors: list[FieldProblem] = Field(default=None)  # type: ignore[arg-type]  # only a 422 lists fields


class Accepted(ResponseModel):
    accepted: Count = Field(description="Events stored.")


class Health(ResponseModel):
    status: Literal["ok"]


class Snippet(ResponseModel):
    heading: str = Field(description="The passage's heading; empty for the page's introduction.")
    anchor: str
    url: str = Field(description="The page's URL with the heading's anchor.")
    text: str
    html: str = Field(description="The passage as escaped HTML, the matched words in <mark>.")
    agent: bool = Field(description="From an agent-only block (signed-in searches only).")


class SearchHit(ResponseModel):
    id: str
    lang: str
    title: str
    type: ContentType
    category: str
    audience: Audience = Field(description="The page's own audience.")
    tags: list[str]
    case_reason: str
    url: str = Field(description="The page on the site of the search's audience, in the language searched.")
    path: str = Field(description="<lang>/<path under content/<lang>/>.")
    version: str = Field(description="The last commit that changed the page.")
    score: float
    snippet: Snippet
    reply: str | None = Field(default=None, description="A macro's reply, for signed-in searches.")


class SearchResults(ResponseModel):
    query: str
    total: Count = Field(description="Hits on every page.")
    page: int = Field(ge=1)
    per_page: int = Field(ge=1)
    pages: Count
    suggestion: str | None = Field(description="Did you mean: the query with its unknown words corrected.")
    corrected: dict[str, str] = Field(description="Each unknown word and the word searched for instead.")
    hits: list[SearchHit]
    audience: Audience = Field(description="Whose pages were searched: the help center's or, signed in, all.")


class PopularArticle(ResponseModel):
    id: str
    title: str
    url: str = Field(description="Relative to the help center's root, e.g. 'fr/cards/x/'.")
    views: int = Field(ge=1)


class Popular(ResponseModel):
    lang: str
    days: int
    articles: list[PopularArticle]


# Every body the API answers with, published as components of the OpenAPI description
BODIES: tuple[type[ResponseModel], ...] = (ErrorBody, Accepted, Health, SearchResults, Popular)


class OutcomeFigures(ResponseModel):
    """The figures of a set of solved tickets a macro was applied to (kbtools/analytics/outcomes.py)."""

    uses: Count = Field(description="Solved tickets the macro was applied to.")
    rated: Count = Field(description="Of them, tickets with a satisfaction rating.")
    satisfied: Count = Field(description="Rated good, or 4 or 5 out of 5.")
    satisfaction_rate: Rate = Field(description="satisfied / rated; null without ratings.")
    satisfaction_lower_bound: Rate = Field(description="Wilson 95% lower bound of the satisfaction rate.")
    reopened: Count
    reopen_rate: Rate = Field(description="reopened / uses.")
    median_handle_seconds: Annotated[float, Field(ge=0)] | None = Field(
        description="Median handle time of the uses that gave one; null: none did."
    )


def _with_key(name: str, **keys: Any) -> Any:
    """A row model: its keys first (as the service writes them), then the figures."""
    fields = {key: (annotation, ...) for key, annotation in keys.items()}
    figures = {field: (info.annotation, info) for field, info in OutcomeFigures.model_fields.items()}
    return create_model(name, __base__=ResponseModel, **fields, **figures)  # type: ignore[call-overload]


OutcomeWeek: Any = _with_key("OutcomeWeek", week=Annotated[date, Field(description="Monday (UTC) of the week.")])
OutcomeVersion: Any = _with_key(
    "OutcomeVersion", version=Annotated[str | None, Field(description="The macro's commit when the ticket came.")]
)
_MacroOutcomeFigures: Any = _with_key("_MacroOutcomeFigures", macro=str, lang=str, title=Title)


class MacroOutcomeRow(_MacroOutcomeFigures):
    weeks: list[OutcomeWeek] = Field(description="The same figures per week, oldest first.")
    versions: list[OutcomeVersion] = Field(
        description="The same figures per version of the macro, in the order the versions were first used."
    )


class MacroOutcomes(Report):
    macros: list[MacroOutcomeRow] = Field(description="Most used first.")


class ExperimentVariant(ResponseModel):
    variant: str
    exposures: Count = Field(description="Sessions (tickets for auto-replies) the variant was served to.")
    trials: Count = Field(
        description="Units the metric counts: voters (helpful_rate), exposed sessions (contact_rate)."
    )
    conversions: Count
    rate: Rate
    rate_lower: Rate = Field(description="Wilson 95% interval, lower end.")
    rate_upper: Rate
    sample_reached: bool = Field(description="Whether trials reached the declared min_sample.")


class ExperimentComparison(ResponseModel):
    variant: str
    against: str = Field(description="The control.")
    difference: Annotated[float, Field(ge=-1, le=1)] = Field(description="Rate of the variant minus the control's.")
    difference_lower: Annotated[float, Field(ge=-1, le=1)] = Field(description="Newcombe 95% interval, lower end.")
    difference_upper: Annotated[float, Field(ge=-1, le=1)]
    z: float = Field(description="Pooled two-proportion z statistic.")
    p_value: Annotated[float, Field(ge=0, le=1)]
    significant: bool = Field(description="At 5% (split between challengers), and only once the sample is reached.")


class ExperimentResult(ResponseModel):
    id: str
    page: str
    lang: str
    metric: str
    min_sample: Count
    start: date | None
    stop: date | None
    method: str
    verdict: str = Field(description="collecting (sample not reached), better, worse or no_difference.")
    winner: str | None
    variants: list[ExperimentVariant] = Field(description="The control first.")
    comparisons: list[ExperimentComparison]


class ExperimentsReport(ResponseModel):
    experiments: list[ExperimentResult]


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
    experiment: str | None = Field(description="The experiment running on the template, if any.")
    variant: str | None = Field(description="The template's variant this ticket was sent (the same for a ticket id).")


class OutcomeAnswer(ResponseModel):
    recorded: Literal["solved", "not_solved"]


def csv_columns(model: type[ResponseModel]) -> list[str]:
    """The CSV export's columns: the fields marked IN_CSV, in declared order."""
    return [name for name, field in model.model_fields.items() if IN_CSV in field.metadata]


# Every report's body, published as components of the OpenAPI description
REPORTS: tuple[type[ResponseModel], ...] = (
    ArticleStats,
    MacroStats,
    Deflection,
    Gaps,
    MacroOutcomes,
    ExperimentsReport,
    Autoreplies,
)

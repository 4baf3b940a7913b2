"""The reports' bodies, one pydantic model each: the OpenAPI description publishes them (`openapi.py`) and the
CSV export takes its columns from them.

Declared in the order the service writes the keys (JSON keys keep their order).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

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


REPORTS: tuple[type[ResponseModel], ...] = (ArticleStats, MacroStats, Deflection, Gaps, ExperimentsReport)


def csv_columns(model: type[ResponseModel]) -> list[str]:
    """The CSV export's columns: the fields marked IN_CSV, in declared order."""
    return [name for name, field in model.model_fields.items() if IN_CSV in field.metadata]

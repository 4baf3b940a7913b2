"""The API's query strings, one pydantic model each: declared once, they validate requests, make the 422 error
list and give the OpenAPI description its parameters (`openapi.py` reads them).

A new query parameter is one field on its model (with its description, bounds or enumeration); a new
endpoint's query string is a new model, passed to `parse_query` by the view and named by its path in
`openapi.py`'s operations.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError

from kbtools.model.vocabulary import ContentType, ReportSite
from kbtools.service.errors import ApiError
from kbtools.service.text import text_problem

MAX_FIELD = 100  # characters of a parameter name repeated in an error: names are not echoed in full
LANGUAGES = "x-kb-languages"  # marks a field whose values are this knowledge base's languages


def invalid_parameters(errors: list[dict[str, str]]) -> ApiError:
    """The one 422 every bad query string gets: `errors` lists each bad parameter with what is wrong."""
    return ApiError(422, "invalid_parameters", "bad query parameters", errors)


def _known_language(value: str | None, info: ValidationInfo) -> str | None:
    languages = (info.context or {}).get("languages", ())
    if value is not None and value not in languages:
        raise ValueError(f"not a language of this knowledge base: {value[:20]!r}")
    return value


def _free_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _iso_day(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic's lax dates would take "0" as a Unix time."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value) if len(value) == 10 else date.fromisoformat("x")
        except ValueError:
            raise PydanticCustomError("date_parsing", "not a date") from None
    return value


def _digits(value: Any) -> Any:
    """Only digits: pydantic's lax integers would take " 1", "1.0" or "1_000"."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise PydanticCustomError("int_parsing", "not a whole number")
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]
WholeNumber = Annotated[int, BeforeValidator(_digits)]
Language = Annotated[str | None, AfterValidator(_known_language), Field(json_schema_extra={LANGUAGES: True})]


class QueryModel(BaseModel):
    """A query string: unknown parameters are refused; fields are in the order they are documented."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class PeriodQuery(QueryModel):
    """Every report: its days and its language."""

    first: Day | None = Field(None, alias="from", description="First day (YYYY-MM-DD); default: 30 days before 'to'.")
    last: Day | None = Field(None, alias="to", description="Last day (YYYY-MM-DD); default: today.")
    lang: Language = Field(None, description="Only this language.")


class ArticleStatsQuery(PeriodQuery):
    type: ContentType | None = Field(None, description="Only this content type.")
    site: ReportSite = Field(
        ReportSite.PUBLIC,
        description="Count the help center (`public`, default), the agent wiki (`internal`) or both (`all`).",
    )


class MacroStatsQuery(PeriodQuery):
    pass


class MacroOutcomesQuery(PeriodQuery):
    macro: str | None = Field(
        None, pattern="^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=200, description="Only this macro (its id)."
    )


class DeflectionQuery(PeriodQuery):
    format: Literal["json", "csv"] = Field("json", description="json (default) or csv.")


class GapsQuery(PeriodQuery):
    pass


class SearchQuery(QueryModel):
    q: Annotated[str, AfterValidator(_free_text)] = Field(
        min_length=1, max_length=200, description="What to search for: plain words; no control characters."
    )
    lang: Language = Field(None, description="Only this language.")
    site_lang: Language = Field(
        None,
        description="Language of the page the search was made from; only used to log the search (when `lang` is "
        "not given), never to filter.",
    )
    type: str | None = Field(None, description="Only this content type.")
    category: str | None = Field(None, description="Only this category.")
    tag: str | None = Field(None, description="Only pages with this tag.")
    case_reason: str | None = Field(None, description="Only this case reason (or reason).")
    page: WholeNumber = Field(1, ge=1, le=1000, description="Result page, from 1.")
    per_page: WholeNumber = Field(10, ge=1, le=50, description="Hits per page.")
    session: str | None = Field(
        None, pattern="^[A-Za-z0-9_-]{8,64}$", description="The tab's random id, to tie the search to later events."
    )
    log: WholeNumber = Field(
        1,
        ge=0,
        le=1,
        description="1 (default): log the search for the gap reports; 0: do not (the contact step's suggestions: "
        "kb keeps nothing a customer types there).",
    )


class AutoreplyReportQuery(PeriodQuery):
    case_reason: str | None = Field(
        None, max_length=100, description="Only tickets with this case reason (reason/sub-reason)."
    )
    channel: str | None = Field(None, max_length=32, description="Only tickets from this channel (email, web...).")


POPULAR_DAYS, POPULAR_MAX = 30, 20


class PopularQuery(QueryModel):
    lang: Language = Field(None, description="The reader's language; default: the knowledge base's default language.")
    limit: WholeNumber = Field(6, ge=1, le=POPULAR_MAX, description="How many articles.")


class ExperimentsQuery(QueryModel):
    id: str | None = Field(None, pattern="^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64, description="Only this experiment.")
    lang: Language = Field(None, description="Only experiments in this language.")


Q = TypeVar("Q", bound=QueryModel)


def parameter_names(model: type[QueryModel]) -> list[str]:
    """The names a client sends, in declared order."""
    return [field.alias or name for name, field in model.model_fields.items()]


def _message(error: Mapping[str, Any], model: type[QueryModel], name: str) -> str:
    """What is wrong with one parameter, in words that do not depend on pydantic's."""
    kind, given = error["type"], error.get("input")
    field = model.model_fields[name]
    if kind.startswith("date"):
        return f"expected a date YYYY-MM-DD, got {str(given)[:20]!r}"
    if kind in ("enum", "literal_error"):
        choices = error.get("ctx", {}).get("expected", "")
        return f"expected one of {', '.join(_choices(field.annotation)) or choices}"
    if kind.startswith(("int", "greater_than", "less_than")):
        low, high = _bounds(field)
        return f"expected a whole number from {low} to {high}"
    if kind in ("string_too_short", "string_too_long", "missing") and name == "q":
        return "give a search of 1 to 200 characters"
    if kind == "string_pattern_mismatch" and name == "session":
        return "8 to 64 characters of A-Z, a-z, 0-9, _ and -"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return str(error["msg"])


def _choices(annotation: Any) -> list[str]:
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, StrEnum):
            return [member.value for member in candidate]
        if getattr(candidate, "__origin__", None) is Literal:
            return [str(value) for value in candidate.__args__]
    return []


def _bounds(field: Any) -> tuple[int, int]:
    low = next((m.ge for m in field.metadata if hasattr(m, "ge")), 0)
    high = next((m.le for m in field.metadata if hasattr(m, "le")), 0)
    return low, high


def parse_query(model: type[Q], args: Mapping[str, str], languages: set[str] | list[str]) -> Q:
    """The query string `args` as `model`, or the 422 that lists every unknown and every bad parameter."""
    names = parameter_names(model)
    by_alias = {field.alias or name: name for name, field in model.model_fields.items()}
    errors = [
        {"field": name[:MAX_FIELD], "message": f"unknown parameter; expected {', '.join(names)}"}
        for name in sorted(set(args) - set(names))
    ]
    known = {name: args[name] for name in names if name in args}
    try:
        parsed = model.model_validate(known, context={"languages": languages})
    except ValidationError as exc:
        bad: dict[str, str] = {}
        for error in exc.errors():
            alias = str(error["loc"][0]) if error["loc"] else "(query)"
            bad.setdefault(alias, _message(error, model, by_alias.get(alias, alias)))
        errors += [{"field": name, "message": bad[name]} for name in names if name in bad]
        raise invalid_parameters(errors) from None
    if errors:
        raise invalid_parameters(errors)
    return parsed

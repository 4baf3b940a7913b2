"""The events body, one pydantic model per event type, told apart by `type` (a discriminated union): declared
once, they validate POST /api/v1/events (`validation.py` turns their errors into the 422 list) and give the
OpenAPI description its request body (`openapi.py`).

A field's shape (type, pattern, length, bounds) and what only this knowledge base knows (its languages, its
published pages, which pages are macros) are both declared on the field; the second reads the validation
context `{"catalog": Catalog, "signed_in": bool}` and is skipped without one.

A new event type is one model here, listed in `EVENT_MODELS`; kbtools.model.vocabulary.EventType names it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationInfo,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kbtools.model.vocabulary import Audience, ContentType, EventType, FeedbackReason, Site
from kbtools.service.queries import LANGUAGES
from kbtools.service.text import text_problem

MAX_BATCH = 50
MAX_BODY_BYTES = 64 * 1024


class NamesPage:
    """Marks a field whose value is a page id: it is looked up in the catalog, within what the client may see."""


NAMES_PAGE = NamesPage()


def _known_language(lang: str, info: ValidationInfo) -> str:
    catalog = (info.context or {}).get("catalog")
    if catalog is not None and lang not in catalog.languages:
        raise PydanticCustomError(
            "unknown_language", f"not a language of this knowledge base: {sorted(catalog.languages)}"
        )
    return lang


def _free_text(text: str) -> str:
    problem = text_problem(text)
    if problem:
        raise PydanticCustomError("not_text", problem)
    return text


def _published_page(page: str, info: ValidationInfo) -> str:
    """A page the event's site publishes, in the event's language (any, when that is not valid).

    What a client learns about pages stays within what it may read: an anonymous client's events are checked
    against the help center's pages only, so an internal id is as unknown as a made-up one (the wiki's events,
    `site: internal`, need a signed-in agent: see validation.parse_events)."""
    context = info.context or {}
    catalog = context.get("catalog")
    if catalog is None:
        return page
    lang = info.data.get("lang")  # absent when the event's lang is not valid
    site = Audience.INTERNAL if info.data.get("site") == Site.INTERNAL else Audience.PUBLIC
    languages = [lang] if lang is not None else sorted(catalog.languages)
    if any(catalog.has(code, page, site) for code in languages):
        return page
    # Only a signed-in agent may learn that the page exists on the wiki
    if context.get("signed_in") and any(catalog.has(code, page, Audience.INTERNAL) for code in languages):
        message = f"'{page}' is an internal page: the help center's events (site: public) name its pages"
    else:
        message = f"no published page '{page}' " + (f"in '{lang}'" if lang is not None else "in any language")
    raise PydanticCustomError("unknown_page", message)


def _a_macro(page: str, info: ValidationInfo) -> str:
    catalog, lang = (info.context or {}).get("catalog"), info.data.get("lang")
    if catalog is not None and lang is not None and catalog.types.get((lang, page)) != ContentType.MACRO:
        raise PydanticCustomError("not_a_macro", f"'{page}' is not a macro: only a macro's reply is copied")
    return page


Language = Annotated[
    StrictStr,
    Field(
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", description="Page language.", json_schema_extra={LANGUAGES: True}
    ),
    AfterValidator(_known_language),
]
Session = Annotated[
    StrictStr, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$", description="Random id the browser tab made up (no cookie).")
]
PageId = Annotated[
    StrictStr,
    Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=200, description="Page id."),
    NAMES_PAGE,
    AfterValidator(_published_page),
]
MacroId = Annotated[PageId, AfterValidator(_a_macro)]
Version = Annotated[
    StrictStr,
    Field(
        pattern=r"^[A-Za-z0-9._-]{1,40}$",
        description="Commit the page was built from (its last change), or 'uncommitted'.",
    ),
]
FreeText = Annotated[StrictStr, AfterValidator(_free_text)]


class EventModel(BaseModel):
    """What every event says. Optional fields may be left out, not sent as null (their default is not valid)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lang: Language
    session: Session
    site: Site = Field(
        default=None,  # type: ignore[assignment]
        description="Which site sent it: the help center (default) or the agent wiki.",
    )


Slug = Annotated[StrictStr, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
EXPERIMENT_PAIR = "experiment_pair"  # the error type of half an experiment (validation names the missing field)


class PageEvent(EventModel):
    """An event about a page, which may have served a variant of an experiment (kbtools.model.experiments)."""

    experiment: Slug = Field(default=None, description="Experiment id.")  # type: ignore[assignment]
    variant: Slug = Field(default=None, description="Variant served.")  # type: ignore[assignment]

    @model_validator(mode="after")
    def _both_or_neither(self) -> PageEvent:
        if (self.experiment is None) != (self.variant is None):
            given, missing = ("experiment", "variant") if self.variant is None else ("variant", "experiment")
            raise PydanticCustomError(
                EXPERIMENT_PAIR, "an event with {given} also gives its {missing}", {"given": given, "missing": missing}
            )
        return self


class ViewEvent(PageEvent):
    """A reader opened a page."""

    type: Literal[EventType.VIEW]
    article: PageId
    version: Version = Field(default=None)  # type: ignore[assignment]


class VoteEvent(PageEvent):
    """An answer to 'Did this answer your question?'; a later vote of the same session replaces it."""

    type: Literal[EventType.VOTE]
    article: PageId
    version: Version = Field(default=None)  # type: ignore[assignment]
    helpful: StrictBool
    reason: FeedbackReason = Field(default=None)  # type: ignore[assignment]
    comment: FreeText = Field(default=None, max_length=1000)  # type: ignore[assignment]


class SearchEvent(EventModel):
    """A search typed in a site's search box, with the number of results shown."""

    type: Literal[EventType.SEARCH]
    query: FreeText = Field(min_length=1, max_length=200)
    results: StrictInt = Field(ge=0, le=1_000_000)


class ContactEvent(PageEvent):
    """A reader went on to contact support (the contact step's button); `article`: the page they came from."""

    type: Literal[EventType.CONTACT]
    article: PageId = Field(default=None)  # type: ignore[assignment]
    version: Version = Field(default=None)  # type: ignore[assignment]


class ContactStepEvent(PageEvent):
    """A reader opened the contact step ("Contact support"); `article`: the page they came from, if any."""

    type: Literal[EventType.CONTACT_STEP]
    article: PageId = Field(default=None)  # type: ignore[assignment]
    version: Version = Field(default=None)  # type: ignore[assignment]


class ContactAnswerEvent(PageEvent):
    """A reader opened an article the contact step suggested."""

    type: Literal[EventType.CONTACT_ANSWER]
    article: PageId
    version: Version = Field(default=None)  # type: ignore[assignment]


class MacroUsedEvent(PageEvent):
    """An agent copied a macro's reply in the wiki."""

    type: Literal[EventType.MACRO_USED]
    article: MacroId
    version: Version = Field(default=None)  # type: ignore[assignment]


EVENT_MODELS: dict[str, type[EventModel]] = {
    model.model_fields["type"].annotation.__args__[0].value: model  # type: ignore[union-attr]
    for model in (
        ViewEvent,
        VoteEvent,
        SearchEvent,
        ContactEvent,
        MacroUsedEvent,
        ContactStepEvent,
        ContactAnswerEvent,
    )
}
Event = Annotated[
    ViewEvent | VoteEvent | SearchEvent | ContactEvent | MacroUsedEvent | ContactStepEvent | ContactAnswerEvent,
    Field(discriminator="type"),
]
EVENT = TypeAdapter(Event)


class EventBatch(BaseModel):
    """Several events in one request: all are stored, or none."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    events: list[Event] = Field(min_length=1, max_length=MAX_BATCH)


class EventsBody(RootModel[Event | EventBatch]):
    """One event, or a batch of up to 50."""


# The batch's own shape, checked before its events (a batch of 51 is refused whatever its events say)
BATCH_SHAPE: Any = create_model(
    "EventBatchShape",
    __config__=EventBatch.model_config,
    events=(list[Any], Field(min_length=1, max_length=MAX_BATCH)),
)


# The fields of each event type that name a page: the validator's page checks and the probing tests read them
PAGE_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(name for name, field in model.model_fields.items() if NAMES_PAGE in field.metadata)
    for kind, model in EVENT_MODELS.items()
}
# Each event type's JSON Schema (what the OpenAPI description publishes, before the knowledge base's languages)
EVENT_SCHEMAS: dict[str, dict[str, Any]] = {kind: model.model_json_schema() for kind, model in EVENT_MODELS.items()}

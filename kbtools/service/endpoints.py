"""One declaration per endpoint: `@endpoint(...)` under the route names its query model, its body model, its
answer and the errors it documents, and who may call it. From that declaration the query string is validated
(the 422 list of `queries.parse_query`, the parsed model passed to the view as `query`) and spectree describes
the route in the OpenAPI document (`openapi.py` serves it in OpenAPI 3.0's dialect, with this knowledge
base's languages). The view's docstring is the operation's summary (first paragraph) and description.

spectree is used for what it does well with plain Flask blueprints: it finds the decorated routes in the
app's URL map and turns pydantic models into parameters, request bodies, responses and components. Request
validation stays kb's (`parse_query`, `validation.parse_events`): a query string's language is checked
against the knowledge base, unknown parameters are named, and every error comes in kb's words.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flask import current_app, request
from pydantic import BaseModel
from spectree import Response as Answers
from spectree import SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from kbtools import __version__
from kbtools.service.queries import QueryModel, parse_query
from kbtools.service.responses import ErrorBody

AGENT: list[dict[str, list[str]]] = [{"bearer": []}]  # signed-in agents only
ANYONE: list[dict[str, list[str]]] = [{}]  # anonymous calls
ANYONE_OR_AGENT: list[dict[str, list[str]]] = [{}, {"bearer": []}]  # a token unlocks more

SPEC = SpecTree(
    "flask",
    mode="strict",  # only the routes declared with @endpoint are described
    title="kb service API",
    version=__version__,
    description="Events from the help center and the agent wiki in; statistics and reports out.",
    path="_kb_spectree",  # spectree's own pages are not served (openapi.py serves the document)
    page_templates={},
    annotations=False,
    validation_error_model=ErrorBody,
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"))],
)

# Content types besides JSON, per view: (request body types, answer types)
MEDIA: dict[Callable[..., Any], tuple[tuple[str, ...], tuple[str, ...]]] = {}
QUERY_MODELS: set[str] = set()  # names of query models: parameters in the document, not components


def media_of(view: Callable[..., Any]) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The content types a route's declaration names, through the decorators above it (they wrap it)."""
    while view is not None:
        if view in MEDIA:
            return MEDIA[view]
        view = getattr(view, "__wrapped__", None)  # type: ignore[assignment]
    return None


def endpoint(
    *,
    answer: type[BaseModel],
    answer_text: str,
    errors: Mapping[int, str],
    status: int = 200,
    query: type[QueryModel] | None = None,
    body: type[BaseModel] | None = None,
    security: Sequence[Mapping[str, list[str]]] | None = None,
    body_types: tuple[str, ...] = (),
    answer_types: tuple[str, ...] = (),
    description: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a route's contract (put it under the route and its sign-in and rate-limit decorators).

    `answer`: the model of the `status` answer, `answer_text` what it is; `errors`: each error status it
    documents and what it means (the body is ErrorBody); `query`: the query model, validated before the view
    runs and passed to it as `query`; `body`: the request body's model (the view validates it: an events
    body needs its size, depth and the knowledge base checked first); `security`: AGENT, ANYONE,
    ANYONE_OR_AGENT or None (not said); `body_types` and `answer_types`: content types besides JSON that the
    route reads or answers (a CSV download); `description`: added to the docstring's.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def validated(*args: Any, **kwargs: Any) -> Any:
            if query is not None:
                languages = current_app.extensions["kb_catalog"].languages
                kwargs["query"] = parse_query(query, request.args, languages)
            return view(*args, **kwargs)

        if description:
            validated.__doc__ = f"{(view.__doc__ or '').strip()}\n\n{description}"
        answers = {
            f"HTTP_{status}": (answer, answer_text),
            **{f"HTTP_{code}": (ErrorBody, text) for code, text in errors.items()},
        }
        declared: Callable[..., Any] = SPEC.validate(
            query=query,
            json=body,
            resp=Answers(**answers),
            security=list(security) if security is not None else None,
            skip_validation=True,
        )(validated)
        MEDIA[declared] = (body_types, answer_types)
        if query is not None:
            QUERY_MODELS.add(query.__name__)
        return declared

    return decorate

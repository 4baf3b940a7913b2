"""kb's own ticket-solved body: what any helpdesk (or a script) sends to /api/v1/webhooks/ticket-solved.

{"ticket_id": "4711", "macros": ["macro-refund-approved"], "lang": "en", "case_reason": "payment/refund-request",
 "satisfaction": "good", "reopened": false, "handle_time": 420, "delivery_id": "optional, unique per delivery"}

`satisfaction` is "good" or "bad", or a score from 1 to 5, or null (not rated). The helpdesk adapters map their
shapes to this one, so it is checked in one place.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

MAX_MACROS = 50
MAX_HANDLE_SECONDS = 2**31 - 1  # what the column holds (68 years): a long-open conversation is still taken

TICKET_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"
DELIVERY_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"


def _number_as_text(value: object) -> object:
    """Helpdesks send ticket ids as numbers or strings: the id 4711 and "4711" are one ticket."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Satisfaction = Literal["good", "bad"] | Annotated[StrictInt, Field(ge=1, le=5)] | None


class TicketSolvedBody(BaseModel):
    """A solved ticket: its id in the helpdesk, the kb macros applied to it, and how it went."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ticket_id: Annotated[str, BeforeValidator(_number_as_text)] = Field(
        pattern=TICKET_ID, description="The helpdesk's ticket (or conversation) id."
    )
    macros: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        max_length=MAX_MACROS, description="Ids of the kb macros applied to the ticket (front-matter `id`)."
    )
    lang: str = Field(min_length=1, max_length=16, description="The ticket's language: a kb language code.")
    case_reason: str | None = Field(None, max_length=100, description="reason/sub-reason of taxonomy.yml.")
    satisfaction: Satisfaction = Field(None, description='"good" or "bad", a score 1 to 5, or null: not rated.')
    reopened: StrictBool = Field(False, description="Whether the ticket was reopened after being solved.")
    handle_time: StrictInt | None = Field(
        None, ge=0, le=MAX_HANDLE_SECONDS, description="Seconds agents spent on the ticket, if the helpdesk knows."
    )
    delivery_id: str | None = Field(
        None, pattern=DELIVERY_ID, description="An id unique to this delivery; a second delivery with it is refused."
    )

    @property
    def rating(self) -> str | None:
        """The satisfaction as stored: good, bad, or the score as text."""
        return None if self.satisfaction is None else str(self.satisfaction)

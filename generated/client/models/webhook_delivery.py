from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.webhook_event import WebhookEvent
from ..models.webhook_outcome import WebhookOutcome
from typing import cast
import datetime


T = TypeVar("T", bound="WebhookDelivery")


@_attrs_define
class WebhookDelivery:
    """
    Attributes:
        id (int): Sent in `X-Hubindex-Delivery`; the same on every attempt.
        event (WebhookEvent): What the delivery reports.
        hook_url (str):
        created_at (datetime.datetime):
        outcome (WebhookOutcome): `pending`: still being tried; `delivered`: a 2xx answered; `failed`: given up (every
            attempt failed, or the hook was disabled).
        attempts (int):
        last_status (int | None): The HTTP status of the last attempt; null if none answered.
        last_error (None | str): Why the last attempt failed, when it did.
        last_attempt_at (datetime.datetime | None):
        next_attempt_at (datetime.datetime | None): When the next attempt is due, while the outcome is `pending`.
    """

    id: int
    event: WebhookEvent
    hook_url: str
    created_at: datetime.datetime
    outcome: WebhookOutcome
    attempts: int
    last_status: int | None
    last_error: None | str
    last_attempt_at: datetime.datetime | None
    next_attempt_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        event = self.event.value

        hook_url = self.hook_url

        created_at = self.created_at.isoformat()

        outcome = self.outcome.value

        attempts = self.attempts

        last_status: int | None
        last_status = self.last_status

        last_error: None | str
        last_error = self.last_error

        last_attempt_at: None | str
        if isinstance(self.last_attempt_at, datetime.datetime):
            last_attempt_at = self.last_attempt_at.isoformat()
        else:
            last_attempt_at = self.last_attempt_at

        next_attempt_at: None | str
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "event": event,
                "hook_url": hook_url,
                "created_at": created_at,
                "outcome": outcome,
                "attempts": attempts,
                "last_status": last_status,
                "last_error": last_error,
                "last_attempt_at": last_attempt_at,
                "next_attempt_at": next_attempt_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        event = WebhookEvent(d.pop("event"))

        hook_url = d.pop("hook_url")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        outcome = WebhookOutcome(d.pop("outcome"))

        attempts = d.pop("attempts")

        def _parse_last_status(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_status = _parse_last_status(d.pop("last_status"))

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        def _parse_last_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_attempt_at = _parse_last_attempt_at(d.pop("last_attempt_at"))

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at"))

        webhook_delivery = cls(
            id=id,
            event=event,
            hook_url=hook_url,
            created_at=created_at,
            outcome=outcome,
            attempts=attempts,
            last_status=last_status,
            last_error=last_error,
            last_attempt_at=last_attempt_at,
            next_attempt_at=next_attempt_at,
        )

        webhook_delivery.additional_properties = d
        return webhook_delivery

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

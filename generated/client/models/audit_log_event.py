from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.audit_log_event_data import AuditLogEventData


T = TypeVar("T", bound="AuditLogEvent")


@_attrs_define
class AuditLogEvent:
    """One event of an audit log.

    Attributes:
        account (str): The account whose log it is in.
        action (str): What happened (`GET /v2/auditlogs/{account}/actions` lists them).
        name (str): What it happened to (a repository, a team, a member, the account).
        actor (str): Who caused it (empty if no one signed in).
        data (AuditLogEventData): Its details (a tag, a role, a client address...).
        timestamp (datetime.datetime):
        action_description (str): The event in words.
    """

    account: str
    action: str
    name: str
    actor: str
    data: AuditLogEventData
    timestamp: datetime.datetime
    action_description: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_log_event_data import AuditLogEventData  # noqa: PLC0415

        account = self.account

        action = self.action

        name = self.name

        actor = self.actor

        data = self.data.to_dict()

        timestamp = self.timestamp.isoformat()

        action_description = self.action_description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account": account,
                "action": action,
                "name": name,
                "actor": actor,
                "data": data,
                "timestamp": timestamp,
                "action_description": action_description,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_log_event_data import AuditLogEventData  # noqa: PLC0415

        d = dict(src_dict)
        account = d.pop("account")

        action = d.pop("action")

        name = d.pop("name")

        actor = d.pop("actor")

        data = AuditLogEventData.from_dict(d.pop("data"))

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        action_description = d.pop("action_description")

        audit_log_event = cls(
            account=account,
            action=action,
            name=name,
            actor=actor,
            data=data,
            timestamp=timestamp,
            action_description=action_description,
        )

        audit_log_event.additional_properties = d
        return audit_log_event

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime


T = TypeVar("T", bound="WebhookHook")


@_attrs_define
class WebhookHook:
    """
    Attributes:
        id (int):
        creator (str):
        last_updater (str):
        hook_url (str):
        date_added (datetime.datetime):
        last_updated (datetime.datetime):
        active (bool):
        disabled_reason (None | str): Why hubindex disabled the hook (repeated failures); null otherwise.
        secret (str): The key its deliveries are signed with, when the hook is created; empty ever after.
    """

    id: int
    creator: str
    last_updater: str
    hook_url: str
    date_added: datetime.datetime
    last_updated: datetime.datetime
    active: bool
    disabled_reason: None | str
    secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        creator = self.creator

        last_updater = self.last_updater

        hook_url = self.hook_url

        date_added = self.date_added.isoformat()

        last_updated = self.last_updated.isoformat()

        active = self.active

        disabled_reason: None | str
        disabled_reason = self.disabled_reason

        secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "creator": creator,
                "last_updater": last_updater,
                "hook_url": hook_url,
                "date_added": date_added,
                "last_updated": last_updated,
                "active": active,
                "disabled_reason": disabled_reason,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        creator = d.pop("creator")

        last_updater = d.pop("last_updater")

        hook_url = d.pop("hook_url")

        date_added = datetime.datetime.fromisoformat(d.pop("date_added"))

        last_updated = datetime.datetime.fromisoformat(d.pop("last_updated"))

        active = d.pop("active")

        def _parse_disabled_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        disabled_reason = _parse_disabled_reason(d.pop("disabled_reason"))

        secret = d.pop("secret")

        webhook_hook = cls(
            id=id,
            creator=creator,
            last_updater=last_updater,
            hook_url=hook_url,
            date_added=date_added,
            last_updated=last_updated,
            active=active,
            disabled_reason=disabled_reason,
            secret=secret,
        )

        webhook_hook.additional_properties = d
        return webhook_hook

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

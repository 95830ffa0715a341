from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.webhook_hook import WebhookHook


T = TypeVar("T", bound="Webhook")


@_attrs_define
class Webhook:
    """
    Attributes:
        id (int):
        name (str):
        active (bool): Whether any of its hooks is active.
        expect_final_callback (bool):
        creator (str):
        last_updated (datetime.datetime):
        last_updater (str):
        hooks (list[WebhookHook]):
    """

    id: int
    name: str
    active: bool
    expect_final_callback: bool
    creator: str
    last_updated: datetime.datetime
    last_updater: str
    hooks: list[WebhookHook]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.webhook_hook import WebhookHook  # noqa: PLC0415

        id = self.id

        name = self.name

        active = self.active

        expect_final_callback = self.expect_final_callback

        creator = self.creator

        last_updated = self.last_updated.isoformat()

        last_updater = self.last_updater

        hooks = []
        for hooks_item_data in self.hooks:
            hooks_item = hooks_item_data.to_dict()
            hooks.append(hooks_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "active": active,
                "expect_final_callback": expect_final_callback,
                "creator": creator,
                "last_updated": last_updated,
                "last_updater": last_updater,
                "hooks": hooks,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.webhook_hook import WebhookHook  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        active = d.pop("active")

        expect_final_callback = d.pop("expect_final_callback")

        creator = d.pop("creator")

        last_updated = datetime.datetime.fromisoformat(d.pop("last_updated"))

        last_updater = d.pop("last_updater")

        hooks = []
        _hooks = d.pop("hooks")
        for hooks_item_data in _hooks:
            hooks_item = WebhookHook.from_dict(hooks_item_data)

            hooks.append(hooks_item)

        webhook = cls(
            id=id,
            name=name,
            active=active,
            expect_final_callback=expect_final_callback,
            creator=creator,
            last_updated=last_updated,
            last_updater=last_updater,
            hooks=hooks,
        )

        webhook.additional_properties = d
        return webhook

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset


T = TypeVar("T", bound="WebhookCreation")


@_attrs_define
class WebhookCreation:
    """
    Attributes:
        name (str):
        expect_final_callback (bool | Unset): Kept and answered as given, as Docker Hub's clients send it. Default:
            False.
    """

    name: str
    expect_final_callback: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        expect_final_callback = self.expect_final_callback

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if expect_final_callback is not UNSET:
            field_dict["expect_final_callback"] = expect_final_callback

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        expect_final_callback = d.pop("expect_final_callback", UNSET)

        webhook_creation = cls(
            name=name,
            expect_final_callback=expect_final_callback,
        )

        webhook_creation.additional_properties = d
        return webhook_creation

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

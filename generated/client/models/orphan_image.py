from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime


T = TypeVar("T", bound="OrphanImage")


@_attrs_define
class OrphanImage:
    """
    Attributes:
        id (str): A v1 image id, 64 lower-case hexadecimal digits. Example:
            9e89cc6f0bc3c38722009fe6857087b486531f9a779a0c17e3ed29dae8f12c4f.
        last_listed (datetime.datetime): When a repository last listed it (when the last one to list it was deleted).
    """

    id: str
    last_listed: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        last_listed = self.last_listed.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "last_listed": last_listed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        last_listed = datetime.datetime.fromisoformat(d.pop("last_listed"))

        orphan_image = cls(
            id=id,
            last_listed=last_listed,
        )

        orphan_image.additional_properties = d
        return orphan_image

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

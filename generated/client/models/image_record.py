from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset


T = TypeVar("T", bound="ImageRecord")


@_attrs_define
class ImageRecord:
    """
    Attributes:
        id (str): A v1 image id, 64 lower-case hexadecimal digits. Example:
            9e89cc6f0bc3c38722009fe6857087b486531f9a779a0c17e3ed29dae8f12c4f.
        checksum (str | Unset): The layer checksum the registry computed, such as `sha256:<hex>`. Example:
            sha256:b486531f9a779a0c17e3ed29dae8f12c4f9e89cc6f0bc3c38722009fe6857087.
    """

    id: str
    checksum: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        checksum = self.checksum

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
            }
        )
        if checksum is not UNSET:
            field_dict["checksum"] = checksum

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        checksum = d.pop("checksum", UNSET)

        image_record = cls(
            id=id,
            checksum=checksum,
        )

        image_record.additional_properties = d
        return image_record

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

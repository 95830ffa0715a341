from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset


T = TypeVar("T", bound="SearchResult")


@_attrs_define
class SearchResult:
    """
    Attributes:
        name (str): `namespace/repository`
        description (str):
        star_count (int):
        is_official (bool): True for repositories of the `library` namespace.
        is_automated (bool):
        is_trusted (bool):
    """

    name: str
    description: str
    star_count: int
    is_official: bool
    is_automated: bool
    is_trusted: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        star_count = self.star_count

        is_official = self.is_official

        is_automated = self.is_automated

        is_trusted = self.is_trusted

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "description": description,
                "star_count": star_count,
                "is_official": is_official,
                "is_automated": is_automated,
                "is_trusted": is_trusted,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description")

        star_count = d.pop("star_count")

        is_official = d.pop("is_official")

        is_automated = d.pop("is_automated")

        is_trusted = d.pop("is_trusted")

        search_result = cls(
            name=name,
            description=description,
            star_count=star_count,
            is_official=is_official,
            is_automated=is_automated,
            is_trusted=is_trusted,
        )

        search_result.additional_properties = d
        return search_result

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

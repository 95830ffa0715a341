from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime


T = TypeVar("T", bound="RepositoryListEntry")


@_attrs_define
class RepositoryListEntry:
    """
    Attributes:
        namespace (str):
        name (str):
        description (str):
        is_private (bool):
        star_count (int):
        pull_count (int): Its pulls, counted by every serving process and written within seconds.
        last_updated (datetime.datetime): The last push or change of its descriptions; its creation before either.
        date_registered (datetime.datetime):
    """

    namespace: str
    name: str
    description: str
    is_private: bool
    star_count: int
    pull_count: int
    last_updated: datetime.datetime
    date_registered: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        namespace = self.namespace

        name = self.name

        description = self.description

        is_private = self.is_private

        star_count = self.star_count

        pull_count = self.pull_count

        last_updated = self.last_updated.isoformat()

        date_registered = self.date_registered.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "namespace": namespace,
                "name": name,
                "description": description,
                "is_private": is_private,
                "star_count": star_count,
                "pull_count": pull_count,
                "last_updated": last_updated,
                "date_registered": date_registered,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        namespace = d.pop("namespace")

        name = d.pop("name")

        description = d.pop("description")

        is_private = d.pop("is_private")

        star_count = d.pop("star_count")

        pull_count = d.pop("pull_count")

        last_updated = datetime.datetime.fromisoformat(d.pop("last_updated"))

        date_registered = datetime.datetime.fromisoformat(d.pop("date_registered"))

        repository_list_entry = cls(
            namespace=namespace,
            name=name,
            description=description,
            is_private=is_private,
            star_count=star_count,
            pull_count=pull_count,
            last_updated=last_updated,
            date_registered=date_registered,
        )

        repository_list_entry.additional_properties = d
        return repository_list_entry

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

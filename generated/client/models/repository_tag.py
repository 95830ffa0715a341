from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime


T = TypeVar("T", bound="RepositoryTag")


@_attrs_define
class RepositoryTag:
    """A tag of a repository, with Docker Hub's field names where they mean something here:
    a v1 push names an image id (not a content digest) and says nothing of sizes,
    architectures or pulls per tag, so those fields are left out.

        Attributes:
            name (str):
            image_id (str): A v1 image id, 64 lower-case hexadecimal digits. Example:
                9e89cc6f0bc3c38722009fe6857087b486531f9a779a0c17e3ed29dae8f12c4f.
            last_updated (datetime.datetime): When a push last named the tag.
            tag_last_pushed (datetime.datetime): The same as `last_updated`, under Hub's other name for it.
            last_updater_username (None | str): Who pushed it last (null if no account pushed it).
    """

    name: str
    image_id: str
    last_updated: datetime.datetime
    tag_last_pushed: datetime.datetime
    last_updater_username: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        image_id = self.image_id

        last_updated = self.last_updated.isoformat()

        tag_last_pushed = self.tag_last_pushed.isoformat()

        last_updater_username: None | str
        last_updater_username = self.last_updater_username

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "image_id": image_id,
                "last_updated": last_updated,
                "tag_last_pushed": tag_last_pushed,
                "last_updater_username": last_updater_username,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        image_id = d.pop("image_id")

        last_updated = datetime.datetime.fromisoformat(d.pop("last_updated"))

        tag_last_pushed = datetime.datetime.fromisoformat(d.pop("tag_last_pushed"))

        def _parse_last_updater_username(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_updater_username = _parse_last_updater_username(d.pop("last_updater_username"))

        repository_tag = cls(
            name=name,
            image_id=image_id,
            last_updated=last_updated,
            tag_last_pushed=tag_last_pushed,
            last_updater_username=last_updater_username,
        )

        repository_tag.additional_properties = d
        return repository_tag

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.group_member_type import GroupMemberType
from typing import cast
import datetime


T = TypeVar("T", bound="GroupMember")


@_attrs_define
class GroupMember:
    """
    Attributes:
        id (str): The account's id.
        username (str):
        full_name (str): Always empty; hubindex keeps no names.
        type_ (GroupMemberType):
        date_joined (datetime.datetime): When the user joined the team.
    """

    id: str
    username: str
    full_name: str
    type_: GroupMemberType
    date_joined: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        username = self.username

        full_name = self.full_name

        type_ = self.type_.value

        date_joined = self.date_joined.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "username": username,
                "full_name": full_name,
                "type": type_,
                "date_joined": date_joined,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        username = d.pop("username")

        full_name = d.pop("full_name")

        type_ = GroupMemberType(d.pop("type"))

        date_joined = datetime.datetime.fromisoformat(d.pop("date_joined"))

        group_member = cls(
            id=id,
            username=username,
            full_name=full_name,
            type_=type_,
            date_joined=date_joined,
        )

        group_member.additional_properties = d
        return group_member

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

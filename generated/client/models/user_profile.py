from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.user_profile_type import UserProfileType
from typing import cast
import datetime


T = TypeVar("T", bound="UserProfile")


@_attrs_define
class UserProfile:
    """A user as Docker Hub's `user` schema has it. hubindex keeps no names, places, companies
    or pictures: `full_name`, `location`, `company`, `gravatar_email`, `gravatar_url` and
    `profile_url` are always empty strings.

        Attributes:
            id (str): The account's id. Example: 42.
            username (str):  Example: foobar.
            full_name (str):
            location (str):
            company (str):
            gravatar_email (str):
            gravatar_url (str):
            profile_url (str):
            date_joined (datetime.datetime): When the account was registered. Example: 2026-01-05T21:06:53.506400Z.
            type_ (UserProfileType):
    """

    id: str
    username: str
    full_name: str
    location: str
    company: str
    gravatar_email: str
    gravatar_url: str
    profile_url: str
    date_joined: datetime.datetime
    type_: UserProfileType
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        username = self.username

        full_name = self.full_name

        location = self.location

        company = self.company

        gravatar_email = self.gravatar_email

        gravatar_url = self.gravatar_url

        profile_url = self.profile_url

        date_joined = self.date_joined.isoformat()

        type_ = self.type_.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "username": username,
                "full_name": full_name,
                "location": location,
                "company": company,
                "gravatar_email": gravatar_email,
                "gravatar_url": gravatar_url,
                "profile_url": profile_url,
                "date_joined": date_joined,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        username = d.pop("username")

        full_name = d.pop("full_name")

        location = d.pop("location")

        company = d.pop("company")

        gravatar_email = d.pop("gravatar_email")

        gravatar_url = d.pop("gravatar_url")

        profile_url = d.pop("profile_url")

        date_joined = datetime.datetime.fromisoformat(d.pop("date_joined"))

        type_ = UserProfileType(d.pop("type"))

        user_profile = cls(
            id=id,
            username=username,
            full_name=full_name,
            location=location,
            company=company,
            gravatar_email=gravatar_email,
            gravatar_url=gravatar_url,
            profile_url=profile_url,
            date_joined=date_joined,
            type_=type_,
        )

        user_profile.additional_properties = d
        return user_profile

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

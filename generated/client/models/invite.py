from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.org_role import OrgRole
from typing import cast
from uuid import UUID
import datetime


T = TypeVar("T", bound="Invite")


@_attrs_define
class Invite:
    """An invitation to join an organization.

    Attributes:
        id (UUID):
        inviter_username (str): The owner who invited.
        invitee (str): A Docker ID, or an email address (lower-cased), as the owner named it.
        org (str): The organization to join.
        team (None | str): The team to join with it; null for none.
        role (OrgRole): A member's role in an organization.
        created_at (datetime.datetime):
        expires_at (datetime.datetime): When it stops being pending (14 days after it was last sent).
    """

    id: UUID
    inviter_username: str
    invitee: str
    org: str
    team: None | str
    role: OrgRole
    created_at: datetime.datetime
    expires_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        inviter_username = self.inviter_username

        invitee = self.invitee

        org = self.org

        team: None | str
        team = self.team

        role = self.role.value

        created_at = self.created_at.isoformat()

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "inviter_username": inviter_username,
                "invitee": invitee,
                "org": org,
                "team": team,
                "role": role,
                "created_at": created_at,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = UUID(d.pop("id"))

        inviter_username = d.pop("inviter_username")

        invitee = d.pop("invitee")

        org = d.pop("org")

        def _parse_team(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        team = _parse_team(d.pop("team"))

        role = OrgRole(d.pop("role"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        invite = cls(
            id=id,
            inviter_username=inviter_username,
            invitee=invitee,
            org=org,
            team=team,
            role=role,
            created_at=created_at,
            expires_at=expires_at,
        )

        invite.additional_properties = d
        return invite

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

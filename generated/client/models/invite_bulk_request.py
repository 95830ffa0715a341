from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.org_role import OrgRole
from ..types import UNSET, Unset
from typing import cast


T = TypeVar("T", bound="InviteBulkRequest")


@_attrs_define
class InviteBulkRequest:
    """
    Attributes:
        org (str):  Example: foobar.
        invitees (list[str]): Docker IDs and email addresses, at most 100.
        team (str | Unset): A team's name, unique within its organization. Example: developers.
        role (OrgRole | Unset): A member's role in an organization.
        dry_run (bool | Unset): Decide each invitee's status, and change nothing.
    """

    org: str
    invitees: list[str]
    team: str | Unset = UNSET
    role: OrgRole | Unset = UNSET
    dry_run: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org = self.org

        invitees = self.invitees

        team = self.team

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        dry_run = self.dry_run

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org": org,
                "invitees": invitees,
            }
        )
        if team is not UNSET:
            field_dict["team"] = team
        if role is not UNSET:
            field_dict["role"] = role
        if dry_run is not UNSET:
            field_dict["dry_run"] = dry_run

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org = d.pop("org")

        invitees = cast(list[str], d.pop("invitees"))

        team = d.pop("team", UNSET)

        _role = d.pop("role", UNSET)
        role: OrgRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = OrgRole(_role)

        dry_run = d.pop("dry_run", UNSET)

        invite_bulk_request = cls(
            org=org,
            invitees=invitees,
            team=team,
            role=role,
            dry_run=dry_run,
        )

        invite_bulk_request.additional_properties = d
        return invite_bulk_request

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

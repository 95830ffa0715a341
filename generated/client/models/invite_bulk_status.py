from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.invite_status import InviteStatus
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
    from ..models.invite import Invite


T = TypeVar("T", bound="InviteBulkStatus")


@_attrs_define
class InviteBulkStatus:
    """
    Attributes:
        invitee (str): The invitee as the request named it.
        status (InviteStatus): What a bulk invitation did for one invitee (or, in a dry run, would do).
        invite (Invite | Unset): An invitation to join an organization.
    """

    invitee: str
    status: InviteStatus
    invite: Invite | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.invite import Invite  # noqa: PLC0415

        invitee = self.invitee

        status = self.status.value

        invite: dict[str, Any] | Unset = UNSET
        if not isinstance(self.invite, Unset):
            invite = self.invite.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "invitee": invitee,
                "status": status,
            }
        )
        if invite is not UNSET:
            field_dict["invite"] = invite

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.invite import Invite  # noqa: PLC0415

        d = dict(src_dict)
        invitee = d.pop("invitee")

        status = InviteStatus(d.pop("status"))

        _invite = d.pop("invite", UNSET)
        invite: Invite | Unset
        if isinstance(_invite, Unset):
            invite = UNSET
        else:
            invite = Invite.from_dict(_invite)

        invite_bulk_status = cls(
            invitee=invitee,
            status=status,
            invite=invite,
        )

        invite_bulk_status.additional_properties = d
        return invite_bulk_status

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

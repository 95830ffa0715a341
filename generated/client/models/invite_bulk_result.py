from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
    from ..models.invite_bulk_status import InviteBulkStatus


T = TypeVar("T", bound="InviteBulkResult")


@_attrs_define
class InviteBulkResult:
    """
    Attributes:
        invitees (list[InviteBulkStatus]):
    """

    invitees: list[InviteBulkStatus]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.invite_bulk_status import InviteBulkStatus  # noqa: PLC0415

        invitees = []
        for invitees_item_data in self.invitees:
            invitees_item = invitees_item_data.to_dict()
            invitees.append(invitees_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "invitees": invitees,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.invite_bulk_status import InviteBulkStatus  # noqa: PLC0415

        d = dict(src_dict)
        invitees = []
        _invitees = d.pop("invitees")
        for invitees_item_data in _invitees:
            invitees_item = InviteBulkStatus.from_dict(invitees_item_data)

            invitees.append(invitees_item)

        invite_bulk_result = cls(
            invitees=invitees,
        )

        invite_bulk_result.additional_properties = d
        return invite_bulk_result

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

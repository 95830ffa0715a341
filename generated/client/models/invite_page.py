from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
    from ..models.invite import Invite


T = TypeVar("T", bound="InvitePage")


@_attrs_define
class InvitePage:
    """
    Attributes:
        count (int):
        next_ (None | str): The path of the next page; null on the last.
        previous (None | str): The path of the previous page; null on the first.
        data (list[Invite]): The invitations (Docker Hub's name for the list).
    """

    count: int
    next_: None | str
    previous: None | str
    data: list[Invite]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.invite import Invite  # noqa: PLC0415

        count = self.count

        next_: None | str
        next_ = self.next_

        previous: None | str
        previous = self.previous

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
                "next": next_,
                "previous": previous,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.invite import Invite  # noqa: PLC0415

        d = dict(src_dict)
        count = d.pop("count")

        def _parse_next_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_ = _parse_next_(d.pop("next"))

        def _parse_previous(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous = _parse_previous(d.pop("previous"))

        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = Invite.from_dict(data_item_data)

            data.append(data_item)

        invite_page = cls(
            count=count,
            next_=next_,
            previous=previous,
            data=data,
        )

        invite_page.additional_properties = d
        return invite_page

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

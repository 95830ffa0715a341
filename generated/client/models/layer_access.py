from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset


T = TypeVar("T", bound="LayerAccess")


@_attrs_define
class LayerAccess:
    """The answer of a parent-layer check.

    Attributes:
        access (bool): True when the caller may read a repository that lists the image.
    """

    access: bool

    def to_dict(self) -> dict[str, Any]:
        access = self.access

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "access": access,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access = d.pop("access")

        layer_access = cls(
            access=access,
        )

        return layer_access

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset


T = TypeVar("T", bound="RepositoryCreation")


@_attrs_define
class RepositoryCreation:
    """The path names the namespace; a `namespace` here, as Hub's clients send, is ignored.

    Attributes:
        name (str):  Example: bar.
        description (str | Unset): The short description, shown by search.
        full_description (str | Unset): The full description, in Markdown.
        is_private (bool | Unset):
        registry (str | Unset): Taken for Docker Hub's clients, and ignored.
    """

    name: str
    description: str | Unset = UNSET
    full_description: str | Unset = UNSET
    is_private: bool | Unset = UNSET
    registry: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        full_description = self.full_description

        is_private = self.is_private

        registry = self.registry

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if full_description is not UNSET:
            field_dict["full_description"] = full_description
        if is_private is not UNSET:
            field_dict["is_private"] = is_private
        if registry is not UNSET:
            field_dict["registry"] = registry

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description", UNSET)

        full_description = d.pop("full_description", UNSET)

        is_private = d.pop("is_private", UNSET)

        registry = d.pop("registry", UNSET)

        repository_creation = cls(
            name=name,
            description=description,
            full_description=full_description,
            is_private=is_private,
            registry=registry,
        )

        repository_creation.additional_properties = d
        return repository_creation

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

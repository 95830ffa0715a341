from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
    from ..models.org_access_token_resource import OrgAccessTokenResource


T = TypeVar("T", bound="OrgAccessTokenChange")


@_attrs_define
class OrgAccessTokenChange:
    """One of `label`, `description`, `resources` and `is_active` at least.

    Attributes:
        label (str | Unset):  Example: CI pushes.
        description (str | Unset):  Example: The release pipeline.
        resources (list[OrgAccessTokenResource] | Unset): What the token allows; a repository named twice allows what
            both name.
        is_active (bool | Unset):  Example: False.
    """

    label: str | Unset = UNSET
    description: str | Unset = UNSET
    resources: list[OrgAccessTokenResource] | Unset = UNSET
    is_active: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.org_access_token_resource import OrgAccessTokenResource  # noqa: PLC0415

        label = self.label

        description = self.description

        resources: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.resources, Unset):
            resources = []
            for componentsschemas_org_access_token_resources_item_data in self.resources:
                componentsschemas_org_access_token_resources_item = (
                    componentsschemas_org_access_token_resources_item_data.to_dict()
                )
                resources.append(componentsschemas_org_access_token_resources_item)

        is_active = self.is_active

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if label is not UNSET:
            field_dict["label"] = label
        if description is not UNSET:
            field_dict["description"] = description
        if resources is not UNSET:
            field_dict["resources"] = resources
        if is_active is not UNSET:
            field_dict["is_active"] = is_active

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.org_access_token_resource import OrgAccessTokenResource  # noqa: PLC0415

        d = dict(src_dict)
        label = d.pop("label", UNSET)

        description = d.pop("description", UNSET)

        _resources = d.pop("resources", UNSET)
        resources: list[OrgAccessTokenResource] | Unset = UNSET
        if _resources is not UNSET:
            resources = []
            for componentsschemas_org_access_token_resources_item_data in _resources:
                componentsschemas_org_access_token_resources_item = (
                    OrgAccessTokenResource.from_dict(
                        componentsschemas_org_access_token_resources_item_data
                    )
                )

                resources.append(componentsschemas_org_access_token_resources_item)

        is_active = d.pop("is_active", UNSET)

        org_access_token_change = cls(
            label=label,
            description=description,
            resources=resources,
            is_active=is_active,
        )

        org_access_token_change.additional_properties = d
        return org_access_token_change

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime

if TYPE_CHECKING:
    from ..models.org_access_token_resource import OrgAccessTokenResource


T = TypeVar("T", bound="OrgAccessTokenCreation")


@_attrs_define
class OrgAccessTokenCreation:
    """
    Attributes:
        label (str):  Example: CI pushes.
        resources (list[OrgAccessTokenResource]): What the token allows; a repository named twice allows what both name.
        description (str | Unset):  Example: The release pipeline.
        expires_at (datetime.datetime | None | Unset): When the token stops working, in the future; absent or null,
            never. Example: 2027-06-30T00:00:00Z.
    """

    label: str
    resources: list[OrgAccessTokenResource]
    description: str | Unset = UNSET
    expires_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.org_access_token_resource import OrgAccessTokenResource  # noqa: PLC0415

        label = self.label

        resources = []
        for componentsschemas_org_access_token_resources_item_data in self.resources:
            componentsschemas_org_access_token_resources_item = (
                componentsschemas_org_access_token_resources_item_data.to_dict()
            )
            resources.append(componentsschemas_org_access_token_resources_item)

        description = self.description

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "label": label,
                "resources": resources,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.org_access_token_resource import OrgAccessTokenResource  # noqa: PLC0415

        d = dict(src_dict)
        label = d.pop("label")

        resources = []
        _resources = d.pop("resources")
        for componentsschemas_org_access_token_resources_item_data in _resources:
            componentsschemas_org_access_token_resources_item = OrgAccessTokenResource.from_dict(
                componentsschemas_org_access_token_resources_item_data
            )

            resources.append(componentsschemas_org_access_token_resources_item)

        description = d.pop("description", UNSET)

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        org_access_token_creation = cls(
            label=label,
            resources=resources,
            description=description,
            expires_at=expires_at,
        )

        org_access_token_creation.additional_properties = d
        return org_access_token_creation

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

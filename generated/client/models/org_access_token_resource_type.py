from enum import StrEnum


class OrgAccessTokenResourceType(StrEnum):
    TYPE_REPO = "TYPE_REPO"

    def __str__(self) -> str:
        return str(self.value)

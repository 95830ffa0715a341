from enum import StrEnum


class OrgMemberType(StrEnum):
    USER = "User"

    def __str__(self) -> str:
        return str(self.value)

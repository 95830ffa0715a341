from enum import StrEnum


class OrgRoleName(StrEnum):
    EDITOR = "Editor"
    MEMBER = "Member"
    OWNER = "Owner"

    def __str__(self) -> str:
        return str(self.value)

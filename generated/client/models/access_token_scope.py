from enum import StrEnum


class AccessTokenScope(StrEnum):
    REPOADMIN = "repo:admin"
    REPOPUBLIC_READ = "repo:public_read"
    REPOREAD = "repo:read"
    REPOWRITE = "repo:write"

    def __str__(self) -> str:
        return str(self.value)

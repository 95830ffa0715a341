from enum import StrEnum


class OrgAccessTokenScope(StrEnum):
    REPO_PULL = "repo-pull"
    REPO_PUSH = "repo-push"

    def __str__(self) -> str:
        return str(self.value)

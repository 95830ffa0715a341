from enum import StrEnum


class PagesPageOrdering(StrEnum):
    LAST_UPDATED = "last_updated"
    NAME = "name"
    PULL_COUNT = "pull_count"
    VALUE_1 = "-name"
    VALUE_3 = "-last_updated"
    VALUE_5 = "-pull_count"

    def __str__(self) -> str:
        return str(self.value)

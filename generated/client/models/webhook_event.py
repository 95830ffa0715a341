from enum import StrEnum


class WebhookEvent(StrEnum):
    DELETE = "delete"
    PUSH = "push"
    TEST = "test"

    def __str__(self) -> str:
        return str(self.value)

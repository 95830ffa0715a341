from enum import StrEnum


class InviteStatus(StrEnum):
    ALREADY_INVITED = "already_invited"
    EXISTING_ORG_MEMBER = "existing_org_member"
    INVALID_EMAIL_OR_DOCKER_ID = "invalid_email_or_docker_id"
    INVITED = "invited"

    def __str__(self) -> str:
        return str(self.value)

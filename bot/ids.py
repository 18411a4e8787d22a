"""Every action_id, block_id and callback_id, used by listeners and tests alike."""

from enum import StrEnum


class Command(StrEnum):
    finsam = "/finsam"


class MetadataEvent(StrEnum):
    outbox = "finsam_outbox"

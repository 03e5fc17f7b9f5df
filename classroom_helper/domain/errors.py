"""Refusals the room's rules produce. Each carries the code a Socket.IO ack reports."""


class RoomError(Exception):
    """A refused action: `code` is stable (clients switch on it), `message` is for people."""

    code = "refused"

    def __init__(self, message: str = "", code: str | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        if code:
            self.code = code

    @property
    def message(self) -> str:
        return str(self)


class InvalidTransition(RoomError):
    """This action does not fit the item's current state."""

    code = "invalid_state"


class NotPermitted(RoomError):
    """Your role in this room does not allow this action."""

    code = "not_permitted"

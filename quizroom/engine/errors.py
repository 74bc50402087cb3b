"""The one exception the engine raises: a rule was broken, nothing changed."""


class EngineError(Exception):
    """A rejected request. `code` is stable and documented in docs/protocol.md."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(message or code)
        self.code = code
        self.message = message or code

    def as_ack(self) -> dict:
        return {"ok": False, "error": {"code": self.code, "message": self.message}}

"""Errors raised by the pure engines."""
class EngineError(Exception):
    """Base error of the engines; ``code`` is stable, the message is for people."""
    code = "engine_error"
    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

"""One-line user messages for any failure; details stay in the log (``CCHC_HOME/cchc.log``).

Our own errors (a refused file, a busy index, a missing model…) carry a one-line message meant
for the user and are shown as they are. Anything else is an internal error: the user sees one
generic line, never a traceback, path or library message; :func:`report` logs the details.
"""
from __future__ import annotations

import logging

OURS = ("IngestError", "StoreError", "StorageError", "IndexBusyError", "EmbedderError", "GeneratorError", "ModelError",
        "QuestionError")
log = logging.getLogger("cchc")


def is_ours(exc: BaseException) -> bool:
    """True for the project's own errors, whose message is written for the user."""
    return type(exc).__name__ in OURS


def user_message(exc: BaseException) -> str:
    """The exception's own one-line message when it is one of ours, else a generic line."""
    if is_ours(exc):
        return " ".join(str(exc).split())
    return (f"lỗi nội bộ ({type(exc).__name__}); chi tiết trong tệp nhật ký cchc.log / internal error "
            f"({type(exc).__name__}); details in cchc.log under CCHC_HOME")


def report(exc: BaseException) -> str:
    """:func:`user_message`, after logging an internal error's traceback."""
    if not is_ours(exc):
        log.error("internal error: %s", type(exc).__name__, exc_info=exc)
    return user_message(exc)

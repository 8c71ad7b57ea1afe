"""One-line user messages for any failure; details stay in the log."""
from __future__ import annotations


def user_message(exc: BaseException) -> str:
    """The exception's own one-line message when it is one of ours, else a generic line."""
    ours = ("IngestError", "StoreError", "IndexBusyError", "EmbedderError", "GeneratorError", "ModelError",
            "QuestionError")
    if type(exc).__name__ in ours:
        return " ".join(str(exc).split())
    return (f"lỗi nội bộ ({type(exc).__name__}); chi tiết trong tệp nhật ký cchc.log / internal error "
            f"({type(exc).__name__}); details in cchc.log under CCHC_HOME")

"""Optional login for the chat UI: PBKDF2 password hashes in a JSON file (``CCHC_AUTH_FILE``).

See :mod:`cchc.ui` for the file format; create an entry with :func:`hash_password`.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Callable


def hash_password(password: str, iterations: int = 600_000) -> str:
    """A ``pbkdf2_sha256$iterations$salt$hash`` entry for the ``CCHC_AUTH_FILE``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a :func:`hash_password` entry."""
    try:
        algo, iterations, salt, digest = stored.split("$")
        if algo != "pbkdf2_sha256":
            return False
        got = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
        return hmac.compare_digest(got.hex(), digest)
    except (ValueError, AttributeError):
        return False


def load_auth(auth_file: str | Path | None) -> Callable[[str, str], bool] | None:
    """The Gradio login check for ``auth_file`` (or ``CCHC_AUTH_FILE``); None when unset."""
    path = auth_file or os.environ.get("CCHC_AUTH_FILE")
    if not path:
        return None
    users = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(users, dict) or not users:
        raise ValueError(f"{path}: cần một đối tượng JSON {{\"user\": \"<pbkdf2 hash>\"}} / expected a JSON object")
    return lambda user, pw: isinstance(users.get(user), str) and verify_password(pw, users[user])

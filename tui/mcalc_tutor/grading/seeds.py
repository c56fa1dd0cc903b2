"""Per-student variants that students cannot choose: the seed is an HMAC-SHA256 of the student id
under the assignment's key, itself an HMAC of the assignment id under the course secret.

The secret lives in a file outside the repository: with it anyone can work out every student's
variant in every assignment. A Gradescope bundle carries only one assignment's key, so a leaked
bundle exposes that assignment alone; templates carry only the student's own seed.
"""
from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

MAX_SECRET_BYTES = 64 * 1024


class SecretError(ValueError):
    pass


def read_secret(path: str | Path) -> bytes:
    """The course secret: the file's bytes, without surrounding whitespace. Refuses an empty file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SECRET_BYTES:
            raise SecretError(f"{path}: too large for a secret (at most {MAX_SECRET_BYTES // 1024} KB)")
        secret = path.read_bytes().strip()
    except OSError as exc:
        raise SecretError(f"{path}: cannot read the course secret: {exc.strerror or exc}") from None
    if not secret:
        raise SecretError(f"{path}: the course secret is empty (put a long random string in it, e.g. "
                          "`python3 -c 'import secrets; print(secrets.token_hex(32))' > FILE`)")
    return secret


def secret_warnings(path: str | Path) -> list[str]:
    """Reasons to worry about where the secret is kept (inside a git checkout, readable by others)."""
    path = Path(path).resolve()
    warnings = []
    for folder in path.parents:
        if (folder / ".git").exists():
            warnings.append(f"{path} is inside the git checkout {folder}: keep the course secret outside "
                            "any repository (anyone with it can print every student's answer key)")
            break
    try:
        if path.stat().st_mode & 0o077:
            warnings.append(f"{path} is readable by other users (chmod 600 it)")
    except OSError:
        pass
    return warnings


def assignment_key(secret: bytes, assignment_id: str) -> bytes:
    """The key that derives every student's seed in one assignment."""
    return hmac.new(secret, f"mcalc-tutor/v1\0{assignment_id}".encode(), hashlib.sha256).digest()


def seed_from_key(key: bytes, student_id: str) -> int:
    """A stable seed in [0, 2**63) for this student (ids compared without surrounding spaces)."""
    digest = hmac.new(key, student_id.strip().encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def student_seed(secret: bytes, assignment_id: str, student_id: str) -> int:
    """A stable seed in [0, 2**63) for this student's variants in this assignment."""
    return seed_from_key(assignment_key(secret, assignment_id), student_id)

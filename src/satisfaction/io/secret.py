"""The project's secret key for hashing personal data (HMAC), kept outside every survey.

A phone number hashed with a key written in instrument.yaml (or with the public survey id)
can be found again by hashing every possible number: Vietnam has about 10^9 mobile numbers,
minutes of work. Keyed with a random secret that is never in the instrument, the data or
the outputs, the hash cannot be reversed that way.

Where the key lives: the file named by the environment variable ``SATISFACTION_SECRET_FILE``,
else ``$XDG_CONFIG_HOME/satisfaction/secret.key`` (``~/.config/satisfaction/secret.key``).
It is created on first use (32 random bytes, readable by its owner only). Keep it (and back
it up) to link hashes across waves; share it only with whoever must link the same people.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from satisfaction.errors import ParameterError

__all__ = ["SECRET_ENV", "secret_key", "secret_path"]

SECRET_ENV = "SATISFACTION_SECRET_FILE"
_KEY_BYTES = 32


def secret_path() -> Path:
    """Where the key is read from (and created on first use)."""
    named = os.environ.get(SECRET_ENV)
    if named:
        return Path(named).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "satisfaction" / "secret.key"


def secret_key() -> bytes:
    """The project's secret key, created (owner-only) the first time it is needed."""
    path = secret_path()
    where = f"secret key {path} (set {SECRET_ENV} to choose another file)"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it first: use theirs
                pass
            else:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(secrets.token_bytes(_KEY_BYTES))
        if not path.is_file():
            raise ParameterError("is not a regular file", key=where)
        key = path.read_bytes()[:4096]
    except OSError as err:
        raise ParameterError(f"cannot be read or created: {err.strerror}", key=where) from None
    if len(key) < 16:
        raise ParameterError("holds fewer than 16 bytes; delete it to make a new one", key=where)
    return key

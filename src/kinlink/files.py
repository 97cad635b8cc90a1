"""Writing output files whole or not at all, with one clear error when they cannot be.

Every file Kinlink writes for a user (exports, match results, pictures, charts) goes
through `writing` or `text_writer`: the content is written to a temporary file next to
the target and renamed over it only once complete, so a full disk, a killed process or a
failed export never leaves a partial file that looks like a result. A target that exists
and is not a regular file (`/dev/stdout`, a named pipe) cannot be renamed over; it is
written directly. Failures become `InputError` naming the file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from kinlink.errors import InputError


def _is_special(path: Path) -> bool:
    """Whether `path` exists and is a device, pipe or socket (not a file we may replace)."""
    try:
        return not stat.S_ISREG(path.stat().st_mode) and not path.is_dir()
    except OSError:
        return False


def check_target(path: Path) -> None:
    """Refuse, before any work, an output path that cannot be written (no such folder)."""
    if not _is_special(path):
        _check_folder(path)


def _check_folder(path: Path) -> None:
    folder = path.parent
    if path.is_dir():
        raise InputError("is a folder; give a file name", file=str(path))
    if not folder.is_dir():
        raise InputError(f"the folder {folder} does not exist; create it first", file=str(path))


def _cannot_write(path: Path, e: OSError) -> InputError:
    return InputError(f"cannot write: {e.strerror or e}", file=str(path))


@contextmanager
def writing(path: Path | str) -> Iterator[Path]:
    """A temporary path to write the whole of `path`'s content to; renamed on success.

    For libraries that write to a path themselves (matplotlib, polars). On any error the
    temporary file is removed and `path` is left as it was.
    """
    path = Path(path)
    if _is_special(path):
        try:
            yield path
        except OSError as e:
            raise _cannot_write(path, e) from e
        return
    _check_folder(path)
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix,
                                        dir=path.parent)
        os.close(handle)
    except OSError as e:
        raise _cannot_write(path, e) from e
    temporary = Path(name)
    try:
        yield temporary
        _flush_to_disk(temporary)
        os.replace(temporary, path)
    except OSError as e:
        raise _cannot_write(path, e) from e
    finally:
        temporary.unlink(missing_ok=True)


def _flush_to_disk(path: Path) -> None:
    # The rename must not reach the disk before the content does (a crash in between would
    # leave an empty file under the final name).
    with path.open("rb+") as f:
        os.fsync(f.fileno())


@contextmanager
def text_writer(path: Path | str, *, newline: str | None = "") -> Iterator[TextIO]:
    """An open UTF-8 text handle whose content replaces `path` only when the block ends well.

    `newline=""` suits the csv module (it writes its own line ends).
    """
    with writing(path) as temporary:
        try:
            with temporary.open("w", encoding="utf-8", newline=newline) as handle:
                yield handle
        except OSError as e:
            raise _cannot_write(Path(path), e) from e

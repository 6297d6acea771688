"""Atomic output: build in a temporary sibling, then swap it in, so readers never see a
half-written folder and a failed run leaves the previous good output in place."""
from __future__ import annotations

import functools
import os
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path


def swap_dir(tmp: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by the finished folder ``tmp`` (same filesystem)."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        # Two renames: between them the folder is briefly absent (a reader may miss it, never
        # see it half-written). If the second fails, the old folder is put back.
        old = out_dir.with_name(f".{out_dir.name}-old-{os.getpid()}")
        os.replace(out_dir, old)
        try:
            os.replace(tmp, out_dir)
        except OSError:
            os.replace(old, out_dir)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out_dir)



@functools.lru_cache(maxsize=1)
def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_file(out_path: Path, render: Callable[[Path], None]) -> Path:
    """Render into a temp file next to ``out_path`` and ``os.replace`` it into place."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        render(tmp)
        # mkstemp creates 0600; give the brief the permissions a normal file would get.
        if out_path.exists():
            mode = stat.S_IMODE(out_path.stat().st_mode)
        else:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out_path

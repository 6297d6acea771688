"""Atomic output: build in a temporary sibling, then swap it in, so readers never see a
half-written folder and a failed run leaves the previous good output in place."""
from __future__ import annotations

import os
import shutil
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

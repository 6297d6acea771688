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


# --------------------------------------------------------------------------------------------
# bounded YAML
# --------------------------------------------------------------------------------------------

#: A scenario file is a few kB; these limits leave ample room and bound memory and time.
YAML_MAX_BYTES = 1_000_000
YAML_MAX_DEPTH = 40


class YamlLimitError(ValueError):
    """A YAML document exceeds a resource limit or uses a refused feature (aliases)."""


def load_yaml_bounded(text: str, max_bytes: int = YAML_MAX_BYTES,
                      max_depth: int = YAML_MAX_DEPTH):
    """``yaml.safe_load`` with resource limits: size, nesting depth, and no aliases.

    Aliases (``*name``) are refused outright: a few lines of nested aliases (a "billion
    laughs" document) expand into an exponentially large structure once anything walks it
    (validation, ``str()``), so a bounded count would still allow a bomb. No scenario needs
    them; anchors alone are harmless and accepted. Raises :class:`YamlLimitError` (with the
    line) or ``yaml.YAMLError``.
    """
    import yaml

    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise YamlLimitError(f"file is {size:,} bytes; expected at most {max_bytes:,} bytes")

    class _Loader(yaml.SafeLoader):
        _depth = 0

        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise YamlLimitError(f"line {mark.line + 1}: YAML aliases ('*name') are not "
                                     "allowed in scenario files; write the values out")
            self._depth += 1
            try:
                if self._depth > max_depth:
                    mark = self.peek_event().start_mark
                    raise YamlLimitError(f"line {mark.line + 1}: nesting deeper than {max_depth} "
                                         "levels; expected a flat scenario file")
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()

"""Atomic output: build in a temporary sibling, then swap it in, so readers never see a
half-written folder and a failed run leaves the previous good output in place."""
from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path


def _rename_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with Linux ``renameat2(RENAME_EXCHANGE)``; False where the
    call is unavailable (other OS, old kernel or libc, a filesystem without support)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_dir(tmp: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by the finished folder ``tmp`` (same filesystem), with no moment at
    which ``out_dir`` is absent.

    On Linux the two folders are exchanged in one atomic ``renameat2(RENAME_EXCHANGE)`` call
    (chosen over a ``current -> version`` symlink so ``data/processed`` stays a plain folder
    for every reader and tool); the old folder, now at ``tmp``, is then deleted. Elsewhere two
    renames are used (a reader may briefly miss the folder, never see it half-written). The
    new folder gets the permissions of the user's umask (``mkdtemp`` creates 0700).
    """
    out_dir, tmp = Path(out_dir), Path(tmp)
    os.chmod(tmp, 0o777 & ~_umask())
    if out_dir.exists() and not out_dir.is_symlink() and _rename_exchange(tmp, out_dir):
        shutil.rmtree(tmp, ignore_errors=True)
        return
    if out_dir.exists():
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
    # The pid in the name lets a later run remove the file if this process is killed.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.{os.getpid()}.", suffix=".tmp",
                                    dir=out_path.parent)
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
# leftovers of killed processes
# --------------------------------------------------------------------------------------------

#: ``.NAME-PID-XXXXXXXX`` (mkdtemp) and ``.NAME-old-PID`` (fileio.swap_dir) in a reports or
#: data folder; ``.FILE.PID.tmp...`` single-file temps of the history notebook.
_TEMP_DIR = re.compile(r"^\..+-(?P<pid>\d+)-[A-Za-z0-9_]{8}$")
_OLD_DIR = re.compile(r"^\..+-old-(?P<pid>\d+)$")
_TEMP_FILE = re.compile(r"^\..+\.(?P<pid>\d+)\.(?:[A-Za-z0-9_]+\.tmp|tmp(?:\..+)?)$")


def pid_alive(pid: int) -> bool:
    """True if a process with this id exists (ours or another user's)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def temp_prefix(name: str) -> str:
    """Prefix for a temporary sibling folder of ``name`` owned by this process."""
    return f".{name}-{os.getpid()}-"


def clean_stale_temps(folder: Path) -> list[Path]:
    """Remove temporary folders and files left in ``folder`` by killed processes."""
    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    for p in folder.iterdir():
        m = _TEMP_DIR.match(p.name) or _OLD_DIR.match(p.name) or _TEMP_FILE.match(p.name)
        if not m or pid_alive(int(m["pid"])):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p)
    return removed


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
    """``yaml.safe_load`` with resource limits: size, nesting depth, no aliases and no
    duplicate keys (both line numbers are named).

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

        def construct_mapping(self, node, deep=False):
            # a repeated key would silently replace the first (a second 'kihi:' block drops
            # the smelter project): refuse it with both lines
            seen: dict = {}
            for key_node, _value in node.value:
                try:
                    key = self.construct_object(key_node, deep=True)
                    hash(key)
                except (TypeError, yaml.YAMLError):
                    continue
                norm = str(key)  # 2027 and '2027' mean the same year in a scenario
                if norm in seen:
                    raise YamlLimitError(f"line {key_node.start_mark.line + 1}: duplicate key "
                                         f"{key!r} (first on line {seen[norm] + 1}); expected "
                                         "each key once")
                seen[norm] = key_node.start_mark.line
            return super().construct_mapping(node, deep=deep)

    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def check_creatable(path: Path) -> None:
    """Raise the OSError that creating ``path`` would raise because a part of it is a file
    (``NotADirectoryError``), without creating anything: lets a long job (a data build) fail
    before its work rather than after it."""
    p = Path(path).absolute()
    for parent in [p, *p.parents]:
        if parent.exists():
            if not parent.is_dir() and parent != p:
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(parent))
            return


@contextlib.contextmanager
def folder_lock(folder: Path, wait_s: float = 30.0, what: str = "import"):
    """Hold an exclusive ``flock`` on ``folder`` itself (no lock file is added to it), so two
    ``data import`` runs never both read the manifest and one entry is lost. A second run
    waits up to ``wait_s`` seconds, then raises :class:`TimeoutError` with a message."""
    import fcntl
    import time

    fd = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{folder}: another {what} holds the manifest lock; "
                                       f"waited {wait_s:g} s; run the {what} again when it "
                                       "has finished") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock

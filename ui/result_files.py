"""Query results shared between the server processes of one database file: the workers that
scripts/serve.py starts behind nginx each keep their own results in memory (ui/data.SharedResults), so
without this each worker computed every view again that another had already computed. A worker that
misses in memory reads the other's result from a file before it asks DuckDB.

Where:   beside the database, in its private serving folder (ui/data.SERVING_DIR, 0700), one folder
         per generation of the file (`results-<stem>-<inode>-<mtime_ns>`, the name of the generation's
         link), files 0600. A newer generation's folder replaces the older ones (ui/data.serving_path).
What:    the folder is made when the generation's link is (ui/data.serving_path); a result is written once, by the process that computed it, to a temporary file renamed into
         place (a reader sees a whole file or none). Its name is the SHA-256 of the query's name, its
         parameters and the scope: everything that decides a result, as in SharedResults' key, whose
         generation is the folder. Parameters of other types than None, bool, int, float, str, date,
         datetime and tuples of these are not shared (their text form might not name one value).
Not:     personal data. A result of a `personal: yes` query or of a scope that shows names unmasked
         stays in its process's memory, as before. Nor frames over MAX_BYTES.
Trust:   pickle, read only from the service account's own 0700 folder, where the database itself
         lies: whoever could write there could replace the database.
When:    only where TUOPIN_SHARED_RESULT_FILES=1 (scripts/serve.py sets it for its workers). A single
         `streamlit run` has nobody to share with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
import threading
from pathlib import Path

import pandas as pd

from common.files import open_private

ENV = "TUOPIN_SHARED_RESULT_FILES"
MAX_BYTES = 16 << 20  # a bigger frame (a long household list) stays in memory only
MAX_FILES = 20_000  # per generation and process: a day's worth of views, then it stops writing
PREFIX = "results-"
_PLAIN = (type(None), bool, int, float, str, dt.date, dt.datetime)


def enabled() -> bool:
    return os.environ.get(ENV, "") == "1"


def plain(value) -> bool:
    """A parameter whose text form names exactly one value, in every process."""
    if type(value) is tuple:
        return all(plain(v) for v in value)
    return type(value) in _PLAIN  # exactly these: a subclass (pandas' Timestamp, numpy's numbers) is not shared


def folder_name(stem: str, inode: int, mtime_ns: int) -> str:
    return f"{PREFIX}{stem}-{inode}-{mtime_ns}"


def remove_older(serving: Path, stem: str, keep: str) -> None:
    """Remove the results of the file's other generations (a process still reading one of them finds
    nothing there, and computes)."""
    for old in serving.glob(f"{PREFIX}{stem}-*"):
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


class ResultFiles:
    """The result files of one generation (`folder`, created on first write)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.written = 0
        self._lock = threading.Lock()

    def path(self, name: str, params: tuple, scope) -> Path | None:
        """The file of a result, or None when it is not to be shared."""
        if not plain(params):
            return None
        if scope is not None and getattr(scope, "personal", False):
            return None
        text = repr((name, params, None if scope is None else (scope.region, scope.personal)))
        return self.folder / (hashlib.sha256(text.encode()).hexdigest() + ".pickle")

    def read(self, path: Path) -> pd.DataFrame | None:
        try:
            with open(path, "rb") as source:
                frame = pickle.load(source)
        except FileNotFoundError:
            return None
        except Exception:  # noqa: BLE001 - a damaged file: computed again (and written anew)
            path.unlink(missing_ok=True)
            return None
        return frame if isinstance(frame, pd.DataFrame) else None

    def write(self, path: Path, frame: pd.DataFrame, size: int) -> None:
        with self._lock:
            if size > MAX_BYTES or self.written >= MAX_FILES:
                return
            self.written += 1
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:  # the folder is made with the generation's link (ui/data.serving_path); once removed, it stays so
            with open_private(partial, "wb") as out:
                pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, path)
        except OSError:  # the generation was replaced meanwhile (its folder removed), or no room: not shared
            partial.unlink(missing_ok=True)

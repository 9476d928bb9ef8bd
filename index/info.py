"""What an admin wants to know about the serving index."""
from __future__ import annotations

import datetime as dt
import os

from . import backend
from .schema import SCHEMA_VERSION, analysis_fingerprint
from .sidefiles import FORMAT_VERSION
from .store import current_dir, damage, read_meta


def index_info(data_dir) -> dict:
    """Version, size, age and counts of the serving index (empty dict fields when none)."""
    path = current_dir(data_dir)
    if path is None:
        return {"exists": False, "schema_version": SCHEMA_VERSION,
                "format_version": FORMAT_VERSION, "fingerprint": analysis_fingerprint()}
    meta = read_meta(path)
    size = sum(f.stat().st_size for f in path.iterdir() if f.is_file())
    built = meta.get("updated_at") or meta.get("built_at")
    age = None
    if built:
        age = (dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(built)).total_seconds()
    meta.pop("files", None)          # the file list is for checking, not for reading
    problem = damage(path)
    if problem is None:
        try:    # refs #13: the count of the index itself, whatever updates did since
            meta["units"] = backend.unit_count(path)
        except Exception as exc:
            problem = f"cannot be opened ({exc})"
    return {"exists": True, "path": os.fspath(path), "size_bytes": size, "age_seconds": age,
            "current": meta.get("fingerprint") == analysis_fingerprint(),
            "damaged": problem, **meta}

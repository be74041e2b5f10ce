"""What the PyIceberg scripts in peers/python/ share: the catalog their environment names, and steps reported as
JSON lines.

Imported by sibling scripts (Python puts a script's own folder first on sys.path). Each script keeps its own
properties (access delegation, scan planning, signing); here is only the REST catalog they all start from.
"""

from __future__ import annotations

import json
import os
import traceback
from typing import Any, Callable

from pyiceberg.catalog import Catalog, load_catalog


def env_catalog(name: str = "lakegate", **properties: str) -> Catalog:
    """PyIceberg's REST catalog at CATALOG_URI, warehouse CATALOG_WAREHOUSE, OAuth2 client credential
    CATALOG_CREDENTIAL ("id:secret"); `properties` add to or replace those."""
    return load_catalog(
        name,
        **{
            "type": "rest",
            "uri": os.environ["CATALOG_URI"],
            "warehouse": os.environ["CATALOG_WAREHOUSE"],
            "credential": os.environ["CATALOG_CREDENTIAL"],
            **properties,
        },
    )


class Steps:
    """A script's named steps: `steps(name, fn)` runs fn and prints one JSON line, ok with fn's detail (a dict) or
    fail with the error and its trace. A failure does not stop the script: `failed` says whether any step failed (for
    the exit code). `json_default` is json.dumps' `default` (str prints dates and decimals)."""

    def __init__(self, json_default: Callable[[Any], Any] | None = None) -> None:
        self.failed = False
        self.json_default = json_default

    def emit(self, obj: dict[str, Any]) -> None:
        print(json.dumps(obj, default=self.json_default), flush=True)

    def __call__(self, name: str, fn: Callable[[], Any]) -> Any:
        try:
            detail = fn()
            self.emit({"step": name, "status": "ok", **(detail if isinstance(detail, dict) else {})})
            return detail
        except Exception as e:  # noqa: BLE001 - every failure is reported as a step
            self.failed = True
            self.emit({"step": name, "status": "fail", "error": f"{type(e).__name__}: {e}"[:2000], "trace": traceback.format_exc()[-3000:]})
            return None

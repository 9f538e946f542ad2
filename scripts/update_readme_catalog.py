"""Rewrite README.md's query catalog section from the SQL headers (python scripts/update_readme_catalog.py)."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queries.__main__ import catalog_markdown  # noqa: E402

readme = ROOT / "README.md"
text = readme.read_text(encoding="utf-8")
text = re.sub(r"(<!-- catalog[^>]*-->).*?(<!-- /catalog -->)",
              lambda m: f"{m.group(1)}\n{catalog_markdown()}\n{m.group(2)}", text, flags=re.S)
readme.write_text(text, encoding="utf-8")

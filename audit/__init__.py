"""Audit anyone's Markdown docs against the local LEAP hub: every code fence of a page, every failure, one report.

The audit reuses the page harness (its kernel, bucket rules and ways). The harness is a folder on
pytest's path (tests/harness/, or harness/ at the root); outside pytest this is the one place that
puts it on sys.path.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

for _folder in (ROOT, ROOT / "tests"):
    if (_folder / "harness").is_dir() and str(_folder) not in sys.path:
        sys.path.append(str(_folder))
        break
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # fakehub, when the audit runs from elsewhere

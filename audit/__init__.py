"""Audit anyone's Markdown docs against the local LEAP hub: every code fence of a page, every failure, one report.

The audit reuses the page harness (harness/: its kernel, bucket rules and ways) and the fake hub
(fakehub/), parts at the repository's root; run from elsewhere, this puts the root on sys.path.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

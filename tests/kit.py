"""Where the shared kit lives: the corpus (golden builds, request scripts, recorded answers, VTL cases)
and the peer's scripts (`diff.py`, `fakejwt.js`, the corpus Lambda handlers).

CI lays a read-only copy of `shared/` beside the clone; `AMPLIFY_SHARED` points elsewhere. A missing
kit is a collection error that says so, never a silently empty parametrisation.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(os.environ.get("AMPLIFY_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
CORPUS = SHARED / "corpus"
PEER = SHARED / "peer"
DIFF = PEER / "diff.py"
LAMBDAS = PEER / "lambdas"

if not (CORPUS / "README.md").is_file():
    raise RuntimeError(f"the shared kit is not at {SHARED}: put shared/ beside the checkout or set AMPLIFY_SHARED")

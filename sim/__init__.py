"""longgame: how audiences on social networks respond to brand strategies over months and years."""

import functools
import hashlib
from pathlib import Path

__version__ = "0.1.0"


@functools.cache
def source_digest() -> str:
    """A short SHA-256 of the model's and the sweeps' source and the shipped scenarios: tells
    apart results made by different code that carries the same ``__version__`` (a development
    checkout)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    files = [
        *root.rglob("*.py"),
        *(root.parent / "experiments").rglob("*.py"),
        *(root.parent / "scenarios").rglob("*.toml"),
    ]
    for path in sorted(files):
        digest.update(path.relative_to(root.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]

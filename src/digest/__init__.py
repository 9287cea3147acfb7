"""digest: a static site generator for dated news digests."""

from digest.errors import BuildFailed, DigestError

__version__ = "0.1.0"
__all__ = ["BuildFailed", "DigestError", "__version__"]

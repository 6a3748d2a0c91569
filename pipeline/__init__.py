"""dvt: label lower-extremity venous duplex reports (PROXIMAL / IDDVT / ICMVT ...) with evidence."""
from ._version import __version__
from .api import Extractor, extract, extract_many

__all__ = ["Extractor", "extract", "extract_many", "__version__"]

"""dvt: label lower-extremity venous duplex reports (PROXIMAL / IDDVT / ICMVT ...) with evidence."""
from ._version import __version__
from .api import Extractor, extract, extract_many
from .display import show
from .frames import course_frame, extract_frame
from .nlp.build import add_dvt_pipes

__all__ = ["Extractor", "add_dvt_pipes", "course_frame", "extract", "extract_frame", "extract_many", "show", "__version__"]

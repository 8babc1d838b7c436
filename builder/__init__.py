"""coursepack: Markdown courses to SCORM 1.2, SCORM 2004 and offline zips."""

__version__ = "0.1.0"

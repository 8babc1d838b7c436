"""The package formats and their defaults, in a module light enough for the command line to name them
without loading the pipeline (`coursepack --help` imports only this)."""

SINGLE = "single"  # the whole course as one .html file per language
FORMATS = ("scorm12", "scorm2004", "offline")  # what `build` writes unless --format says otherwise
ALL_FORMATS = (*FORMATS, SINGLE)  # the single .html file only on request (docs/decisions.md)
COMBINED_FORMATS = ("offline",)  # a course in several languages also gets one offline package holding them all
MAX_INLINE = 200_000  # bytes: audio, video and other files above this stay out of the single file

"""Output formats that turn a rendered offline site into one more file: EPUB 3 and ZIM.

Each module here takes a `builder.render.Site` (one course in one language) and returns the finished
file's bytes with what it holds, plus a `check_*` function running the format's own validator.
"""

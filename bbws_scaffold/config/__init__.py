"""Configuration files: one pydantic model per file, read and validated by one loader.

``environments`` (deployment environments), ``github`` (GitHub publishing) and ``wordpress``
(the WordPress image blueprint); :mod:`bbws_scaffold.config.loader` turns every validation
failure into one line naming the file and the field.
"""

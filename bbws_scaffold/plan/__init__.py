"""Planning: the copier answers derived from a ``ServiceSpec`` (and the environments).

Everything here derives, nothing renders: names, key attributes, types, samples and imports are
computed once, in Python, into typed pydantic plans; templates only read and escape them.
"""

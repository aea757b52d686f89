"""The low-level readers every extractor builds on: they know notations, not concepts.

``document`` turns markdown into sections and blocks, ``grammar`` loads ``lld_grammar/*.yaml``,
``values`` applies the shared value micro-grammars, and ``pycode``, ``mermaid`` and ``openapi``
read Python fences, Mermaid class diagrams and OpenAPI documents. None of them imports an
extractor, so the per-concept modules above can all depend on them.
"""

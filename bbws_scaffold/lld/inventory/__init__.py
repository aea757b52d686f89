"""The endpoint and Lambda function inventory: every place an LLD declares one, and their merger.

``endpoint_sources`` reads endpoint declarations and pairing aids (tables, headings, bold lines,
OpenAPI, route decorators, project-tree comments) into flat records, ``function_sources`` reads
function tables with their triggers and sizes, and ``merge`` folds both into the ``Endpoint`` and
``Function`` lists of the ``ServiceSpec``, reporting disagreements by line.
"""

"""Application services: the glue between the warehouse (or an input file), analytics and caches.

Both the CLI and the agent's tools call these functions; they own I/O, analytics stay pure.
`leakage/` (detections, the leakage model, batch scoring, its caches), `trends/` (the trend
scan, segments, their caches), `refresh.py` (all caches after a write), `lookup.py` (unknown-id
errors with suggestions), `revenue.py` (a book's revenue position from monthly revenue
alone). May import analytics, data and domain; never tools, agent or ui.
"""

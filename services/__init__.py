"""Application services: the glue between the warehouse (or an input file), analytics and caches.

Both the CLI and the agent's tools call these functions; they own I/O, analytics stay pure.
"""

"""Vendor-management reports over the catalog: spend and total cost, renewals, overlap, the integration graph.

Every report reads the same normalised view of the catalog (`tools.read_tools`), which never fails on
a malformed entry: an unreadable file is skipped with a note, a field of the wrong type is ignored
with a note. Reports return `tables.Table` values (or text, for the graph), so the CLI only renders.
"""

"""Discovery of the tools in use, from sign-in, OAuth and expense exports, against the catalog.

One module per export format (okta, entra, google, expenses) turns records into usage rows
(usage.py); run.py folds them per app as they stream, matches each app to a catalog entry
(match.py), and says which tools in use are not approved; proposals.py drafts entries for them.
"""

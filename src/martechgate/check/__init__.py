"""Judging a catalog: the model, the organisation file, schemas, policies, rules, the engine and
its cache. Located values -> entries -> catalog -> findings."""

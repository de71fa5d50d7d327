"""The audit trail: catalog history, the inventory on a date, approval records and their
verification, and the audit report."""

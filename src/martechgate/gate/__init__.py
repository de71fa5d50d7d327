"""The pull-request gate: the diff-aware check, which review rules a change needs, approvals,
GitHub's review input, and CODEOWNERS and the ruleset generated from the organisation file."""

"""What several reporters share: the rules behind the findings, and the word for each finding's level."""

from __future__ import annotations

from dataclasses import dataclass

from martechgate.check.engine import CheckResult
from martechgate.check.model import Finding
from martechgate.check.rules import RULES


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title: str
    description: str
    remediation: str
    severity: str
    enforcement: str
    origin: str  # "built-in" or the policy's file


def rules_of(result: CheckResult) -> list[RuleInfo]:
    """Every rule that judged the catalog: the built-in ones, then the policies (from the rules' source)."""
    infos = [
        RuleInfo(m.ID, m.TITLE, (m.__doc__ or "").strip(), m.REMEDIATION, m.SEVERITY, m.ENFORCEMENT, "built-in")
        for m in RULES.values()
    ]
    infos += [
        RuleInfo(p.id, p.title, p.description, p.remediation, p.severity, p.enforcement, p.file)
        for p in result.catalog.policies
    ]
    known = {info.id for info in infos}
    # A finding of a rule neither lists (from a newer engine) still gets a descriptor.
    for finding in result.report.findings:
        if finding.rule not in known:
            known.add(finding.rule)
            infos.append(
                RuleInfo(
                    finding.rule,
                    finding.rule,
                    finding.remediation,
                    finding.remediation,
                    finding.severity,
                    finding.enforcement,
                    "built-in",
                )
            )
    return infos


def level(finding: Finding) -> str:
    """error: blocks the merge; warning: advisory; notice: waived by a valid exception, or known
    from the baseline and not yet due."""
    if finding.blocking:
        return "error"
    if finding.waived_by is not None or finding.baselined is not None:
        return "notice"
    return "warning"

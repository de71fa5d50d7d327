"""new: propose a tool by answering plain questions (or from a file and flags, for scripts).

Exit codes: 0 when the entry is written (or shown with --dry-run), or when you chose not to go on
after an overlap was shown; 2 when it could not be written: invalid answers in the non-interactive
mode, an existing entry, or the wizard stopped by Ctrl-C or the end of input (nothing is written
then; 2 rather than the shell's 130 keeps every command to the three documented codes). The findings
that remain on a written entry are listed, not an exit code: `martechgate check` gates them in CI.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import click

from martechgate.check.catalog import load_entries
from martechgate.check.model import Entry
from martechgate.check.organisation import load_organization
from martechgate.check.risk import computed_tier
from martechgate.cli.options import repo_option, today_option
from martechgate.errors import EXIT_CANNOT_RUN, EXIT_OK, RepoError, UsageError
from martechgate.gate.applicable import ChangedFile, applicable_rules
from martechgate.intake import from_issue as from_issue_module
from martechgate.intake import issue_form as issue_form_module
from martechgate.intake import proposal
from martechgate.intake.proposal import Draft, Invalid, Question
from martechgate.sources.repo import CATALOG_DIR, WorkTree
from martechgate.sources.yamlload import load_bytes

ISSUE_LIMIT = 65536
INTRO = (
    "Let's propose a new tool. Answer each question and press Enter; [brackets] show the answer "
    "you get by just pressing Enter. Type ? at any question for an explanation, Ctrl-C to stop "
    "(nothing is written until the end)."
)


def _say(text: str = "", **style: Any) -> None:
    click.secho(text, **style)


def _wrap(items: Sequence[str], numbered: bool = True, width: int = 100) -> str:
    """Choices in lines of at most `width`, never breaking one choice across two lines."""
    words = [f"{n}) {item}" if numbered else item for n, item in enumerate(items, 1)]
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 3 + len(word) <= width:
            lines[-1] += "   " + word
        else:
            lines.append("    " + word)
    return "\n".join(lines)


def _ask_text(prompt: str, default: str | None) -> str:
    shown = f"{prompt} [{default}]" if default else prompt
    answer: str = click.prompt(shown, default="", show_default=False, prompt_suffix=": ")
    return answer.strip() or (default or "")


def ask(question: Question, draft: Draft) -> Any:
    """Ask until the answer is usable; `?` prints the help, an empty answer skips an optional question."""
    default = question.default(draft)
    choices = list(question.choices(draft)) if question.choices else []
    prompt = question.text + (" (y/n)" if question.yes_no else "")
    if choices:
        _say(_wrap(choices))
    if question.key == "capabilities":
        used = sorted(
            {
                c
                for other in draft.catalog_ids.values()
                if other.get("category") == draft.get("category")
                for c in other.get("capabilities") or []
            }
        )
        if used:
            _say(f"    Already used in {draft.get('category')}: {', '.join(used)}")
    while True:
        answer = _ask_text(prompt, default)
        if answer == "?":
            _say(textwrap.indent(question.help, "    "), fg="cyan")
            if choices:
                _say(_wrap(choices))
            continue
        if not answer:
            if question.optional:
                return None
            _say("    This one is needed; type an answer, or ? for help.", fg="yellow")
            continue
        try:
            return question.parse(answer, draft)
        except Invalid as problem:
            _say(f"    {problem}", fg="yellow")


def _ask_integrations(draft: Draft) -> list[dict[str, Any]]:
    if not draft.catalog_ids:
        return []
    _say(
        "\nWill it connect to tools already in the catalog? Type a tool's id, one at a time; press Enter "
        "when there are no (more)."
    )
    _say(_wrap(sorted(draft.catalog_ids), numbered=False))
    target_question, *details = proposal.INTEGRATION_QUESTIONS
    integrations: list[dict[str, Any]] = []
    while True:
        target = ask(target_question, draft)
        if target is None:
            return integrations
        if any(i["target"] == target for i in integrations):
            _say(f"    {target} is already listed; type another id, or press Enter to finish.", fg="yellow")
            continue
        integration = {"target": target}
        for question in details:
            value = ask(question, draft)
            if value is not None:
                integration[question.key] = value
        integrations.append(integration)


def _confirm_overlap(found: list[proposal.Overlap], draft: Draft) -> bool:
    _say("\nBefore you go on: this looks like a tool we may already have.", fg="yellow", bold=True)
    for overlap in found:
        _say(f"  - {overlap.sentence}", fg="yellow")
    _say(
        "  Using what is already approved is the fastest yes. If this tool does something the others "
        "cannot, go on and say so in the purpose."
    )
    go_on = Question(
        "continue",
        "Continue with this proposal anyway?",
        "Yes: go on with the questions "
        "and write the proposal; the reviewers will see the overlap and decide. No: stop here "
        "and nothing is written.",
        proposal.parse_yes_no,
        suggest="no",
        yes_no=True,
    )
    return bool(ask(go_on, draft))


def wizard(draft: Draft) -> bool:
    """Ask every question into `draft`; False when the person chose to stop at an overlap."""
    _say(INTRO)
    for question in proposal.QUESTIONS:
        if not question.ask_if(draft):
            draft.set(question.key, None)  # an earlier answer made it irrelevant (e.g. no personal data)
            continue
        draft.set(question.key, ask(question, draft))
        if question.key == "capabilities":
            found = proposal.overlaps(draft.answers, draft.catalog_ids)
            if found and not _confirm_overlap(found, draft):
                return False
    integrations = _ask_integrations(draft)
    if integrations:
        draft.answers["integrations"] = integrations
    return True


# --- non-interactive ------------------------------------------------------------------------------


def _read_answers(path: str) -> dict[str, Any]:
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise UsageError(
            f"cannot read the answers file {path}: {error.strerror}",
            hint="Name a YAML or JSON file with the entry's fields.",
        ) from None
    if path.lower().endswith(".json"):  # JSON's \ud800-style escapes are not YAML: read JSON as JSON
        try:
            value = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise UsageError(
                f"the answers file is not valid JSON: {error}", file=path, hint="Nothing was written."
            ) from None
        if not isinstance(value, dict):
            raise UsageError(
                'the answers file must hold the entry\'s fields ({"name": ..., ...})',
                file=path,
                hint="See `martechgate schema` for the fields; nothing was written.",
            )
        return value
    loaded = load_bytes(raw)
    if loaded.problems:
        first = loaded.problems[0]
        raise UsageError(
            first.message,
            file=path,
            line=first.line,
            column=first.column,
            hint="The answers file must be valid YAML or JSON; nothing was written.",
        )
    if not isinstance(loaded.value, dict):
        raise UsageError(
            "the answers file must hold the entry's fields (name: ..., vendor: ...)",
            file=path,
            hint="See `martechgate schema` for the fields; nothing was written.",
        )
    return dict(loaded.value)


def from_answers(draft: Draft, from_file: str | None, flags: dict[str, str], integrations: Sequence[str]) -> list[str]:
    """Fill `draft` from the answers file and the flags; the problems with them, all at once."""
    if from_file:
        draft.answers.update(_read_answers(from_file))
    errors = []
    for flag, text in flags.items():
        try:
            draft.set(proposal.QUESTION_BY_FLAG[flag].key, proposal.QUESTION_BY_FLAG[flag].parse(text, draft))
        except Invalid as problem:
            errors.append(f"--{flag}: {problem}")
    for text in integrations:
        listed = draft.answers.setdefault("integrations", [])
        if not isinstance(listed, list):
            errors.append("--integration: integrations in the answers file is not a list, so it cannot be added to")
            break
        try:
            listed.append(proposal.parse_integration(text, draft))
        except Invalid as problem:
            errors.append(f"--integration: {problem}")
    for question in proposal.QUESTIONS:  # what the wizard would have suggested
        if draft.get(question.key) is None and not question.optional and question.ask_if(draft):
            default = question.default(draft)
            if default:
                try:
                    draft.set(question.key, question.parse(default, draft))
                except Invalid as problem:
                    errors.append(f"--{question.flag}: {problem}")
    return errors


def _read_body(source: str) -> str:
    """An issue body from a file or standard input (-): UTF-8 text of at most 64 KiB (GitHub's limit)."""
    try:
        raw = sys.stdin.buffer.read(ISSUE_LIMIT + 1) if source == "-" else Path(source).read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read the issue body {source}: {error.strerror}") from None
    if len(raw) > ISSUE_LIMIT:
        raise UsageError(f"the issue body {source} is over {ISSUE_LIMIT:,} bytes; it is not an issue form's")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"the issue body {source} is not UTF-8 text (byte {error.start})") from None


# --- the report after writing ---------------------------------------------------------------------


def report(repo: Path, entries: list[Entry], entry: dict[str, Any], text: str, draft: Draft, err: bool) -> None:
    file = f"{CATALOG_DIR}/{entry['id']}.yaml"
    catalog = proposal.catalog_with(repo, entries, file, text, draft.today)
    findings = proposal.findings_for(catalog, file)
    tier, reasons = computed_tier(entry, draft.organization.money)

    def say(line: str = "", **style: Any) -> None:
        click.secho(line, err=err, **style)

    say(f"Risk tier: {tier} ({'; '.join(reasons)}).")
    if findings:
        blocking = sum(1 for f in findings if f.blocking)
        say(
            f"\nStill missing before it can be approved ({blocking} must be fixed, {len(findings) - blocking} advice):",
            bold=True,
        )
        for finding in findings:
            label = "must fix" if finding.blocking else "advice"
            say(f"  - [{label}] {finding.message}")
            say(
                textwrap.fill(
                    f"What to do: {finding.remediation}", width=100, initial_indent="      ", subsequent_indent="      "
                )
            )
    else:
        say("\nNothing is missing: every rule and policy passes.")
    needs = applicable_rules(draft.organization, [ChangedFile.proposed(entry)])
    if needs:
        say("\nIt will need approval from:", bold=True)
        for applied in needs:
            groups = " and ".join(f"{count} from {group}" for group, count in applied.rule.require.items())
            say(f"  - {groups} (rule {applied.rule.name}: {applied.reason})")


def answer_flags(function: Any) -> Any:
    """One flag per question (--name, --category, ...): the answer as you would type it."""
    for question in reversed(proposal.QUESTIONS):
        function = click.option(
            f"--{question.flag}", question.flag.replace("-", "_"), metavar="TEXT", help=question.text
        )(function)
    return function


@click.command(name="new")
@repo_option
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Take the answers from a YAML or JSON file with the entry's fields (no questions).",
)
@click.option(
    "--integration",
    "integrations",
    multiple=True,
    metavar="TARGET:DIRECTION[:DATA,...]",
    help="A connection to a catalog tool, e.g. salesforce-sales-cloud:outbound:contact-pii (repeat for more).",
)
@click.option(
    "--from-issue",
    "from_issue",
    metavar="BODY",
    help='Take the answers from a submitted "Propose a tool" issue form: BODY is the issue\'s body (a file, '
    "or - for standard input), as GitHub renders it.",
)
@click.option(
    "--issue-form",
    is_flag=True,
    help='Print the "Propose a tool" GitHub issue form for REPO\'s organisation (its categories), to keep as '
    ".github/ISSUE_TEMPLATE/propose-a-tool.yml, and stop.",
)
@click.option(
    "--github",
    "use_github",
    is_flag=True,
    help="With --from-issue in GitHub Actions: commit the entry on propose/<id>, open the pull request, and "
    "comment the findings and reviewers (or the problems) on the issue.",
)
@click.option("--dry-run", is_flag=True, help="Print the entry instead of writing it.")
@click.option(
    "--allow-overlap",
    is_flag=True,
    help="Without questions: write even if a tool of the same vendor or for the same job exists.",
)
@today_option
@answer_flags
@click.pass_context
def new(
    ctx: click.Context,
    /,
    repo: str,
    from_file: str | None,
    integrations: tuple[str, ...],
    from_issue: str | None,
    issue_form: bool,
    use_github: bool,
    dry_run: bool,
    allow_overlap: bool,
    today: date | None,
    **flag_values: str | None,
) -> None:
    """Propose a new tool: asks plain questions and writes catalog/<id>.yaml in REPO (default: here).

    With --from FILE or any answer flag, nothing is asked: problems are listed all at once (exit 2) and
    nothing is written. Lists (capabilities, data, subjects, residency) are comma-separated.
    """
    root = Path(repo)
    source = WorkTree(root)
    organization = load_organization(source)
    if not source.exists(CATALOG_DIR):
        raise RepoError(
            f"there is no {CATALOG_DIR}/ folder in {repo}",
            hint="Run inside a governance repo (`martechgate init DIR` starts one).",
        )
    if issue_form:
        click.echo(issue_form_module.form_template(organization), nl=False)
        return
    entries = load_entries(source)  # read once: for overlaps and choices now, for the check at the end
    catalog_ids = {e.id: e.data for e in entries if e.id is not None and e.data is not None}
    draft = Draft(organization, catalog_ids, today or date.today())
    flags = {name.replace("_", "-"): value for name, value in flag_values.items() if value is not None}
    github = None
    refusals: list[str] = []
    if use_github and not from_issue:
        raise UsageError("--github goes with --from-issue BODY")
    if from_issue:
        if from_file or flags or integrations:
            raise UsageError("--from-issue takes every answer from the issue; leave out --from and the answer flags")
        github = from_issue_module.client_for(dict(os.environ)) if use_github else None
        answers = issue_form_module.parse_body(_read_body(from_issue))
        flags, refusals = answers.flags, [str(r) for r in answers.refusals]
        allow_overlap = True  # the reviewers see the overlap in the comment and decide
    scripted = bool(from_file or flags or integrations or from_issue)

    if scripted:
        errors = refusals
        if not errors:
            errors = from_answers(draft, from_file, flags, integrations)
            entry = proposal.finish(draft.answers, draft.organization.money)
            errors += proposal.problems(entry, draft)
        if errors and github is not None:
            context, client, event = github
            client.comment(context.repository, event.number, from_issue_module.refusal_comment(errors))
        if errors:
            raise UsageError(
                "the proposal cannot be written:\n" + "\n".join(f"  - {e}" for e in errors),
                hint="Nothing was written. Fix these and run again (`martechgate new` without "
                "--from or flags asks the questions one by one).",
            )
        found = proposal.overlaps(entry, catalog_ids)
        if found and not allow_overlap:
            raise UsageError(
                "this looks like a tool the catalog already has:\n" + "\n".join(f"  - {o.sentence}" for o in found),
                hint="Nothing was written. Use the existing tool, or run again with "
                "--allow-overlap and say in the purpose why another one is needed.",
            )
        for overlap in found:
            click.echo(f"Note: {overlap.sentence}", err=True)
    else:
        try:
            if not wizard(draft):
                _say("Nothing was written. The existing tool's entry is in catalog/; its owners can add you as a user.")
                ctx.exit(EXIT_OK)
        except click.Abort as stop:
            ended = isinstance(stop.__context__, EOFError)
            click.echo(
                "\n"
                + ("The answers ended before the last question" if ended else "Stopped")
                + "; nothing was written.",
                err=True,
            )
            ctx.exit(EXIT_CANNOT_RUN)
        entry = proposal.finish(draft.answers, draft.organization.money)
        errors = proposal.problems(entry, draft)
        if errors:  # each answer was checked as given, so this is a defect, not a wrong answer
            raise UsageError(
                "the answers do not make a valid entry:\n" + "\n".join(f"  - {e}" for e in errors),
                hint="Nothing was written. Please report this.",
            )

    text = proposal.render(entry, draft.today)
    if dry_run:
        click.echo(text, nl=False)
        report(root, entries, entry, text, draft, err=True)
        return
    target = proposal.write_new(root, entry["id"], text)
    written = target.relative_to(root).as_posix()
    if github is not None:
        context, client, event = github
        file = f"{CATALOG_DIR}/{entry['id']}.yaml"
        findings = proposal.findings_for(proposal.catalog_with(root, entries, file, text, draft.today), file)
        needs = applicable_rules(draft.organization, [ChangedFile.proposed(entry)])
        sentences = [o.sentence for o in proposal.overlaps(entry, catalog_ids)]
        report_text = from_issue_module.report_markdown(entry, findings, needs, sentences, draft.organization.money)
        pull = from_issue_module.open_pull_request(root, context, client, event, entry, report_text)
        click.echo(f"Wrote {written} and opened pull request #{pull.get('number')} for issue #{event.number}.")
        return
    click.secho(f"\nWrote {written} (status: proposed).", fg="green", bold=True)
    try:
        report(root, entries, entry, text, draft, err=False)
    except KeyboardInterrupt:  # the entry is complete on disk; only the advice was cut short
        click.echo(
            f"\nStopped; {written} is written and complete. `martechgate check` lists what is missing.", err=True
        )
        ctx.exit(EXIT_CANNOT_RUN)
    click.echo(
        f"\nNext: commit it on a branch and open a pull request, e.g.\n"
        f"  git switch -c propose-{entry['id']} && git add {CATALOG_DIR}/{entry['id']}.yaml && "
        f"git commit -m 'Propose {entry['name']}'"
    )

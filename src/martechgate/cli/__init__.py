"""The command line: parse options, call the core, render, exit. The only code that imports click.

Every command is listed here, explicitly, by the module that holds it; a module is imported only when
one of its commands runs (click's lazy-loading group), so `martechgate check` does not pay for
importing the site, audit and discovery code. Errors from the core are typed; `Cli.invoke` maps them
to exit codes in one place, and an unexpected error is logged to a file rather than shown as a
traceback.
"""

from __future__ import annotations

import gc
import importlib
import os
import signal
import sys
import tempfile
import traceback
from datetime import datetime

import click

from martechgate import __version__
from martechgate.errors import EXIT_CANNOT_RUN, MartechgateError

# command name -> (module in martechgate.cli, the click command in it)
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "check"),
    "baseline": ("baseline", "baseline"),
    "test": ("check", "test_policies"),
    "rules": ("check", "list_rules"),
    "explain": ("check", "explain"),
    "schema": ("check", "schema"),
    "init": ("init", "init"),
    "new": ("new", "new"),
    "import": ("importing", "import_command"),
    "review": ("review", "review"),
    "spend": ("vendors", "spend"),
    "renewals": ("vendors", "renewals"),
    "overlap": ("vendors", "overlap"),
    "graph": ("vendors", "graph"),
    "history": ("history", "history_command"),
    "inventory": ("audit", "inventory_command"),
    "audit": ("audit", "audit_command"),
    "record": ("audit", "record_command"),
    "verify": ("audit", "verify_command"),
    "discover": ("discover", "discover_command"),
    "codeowners": ("github", "codeowners"),
    "ruleset": ("github", "ruleset"),
    "site": ("site", "site"),
    "due": ("due", "due"),
}


def _log_unexpected(error: BaseException) -> str:
    folder = os.environ.get("MARTECHGATE_LOG_DIR") or os.path.join(tempfile.gettempdir(), "martechgate")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "martechgate.log")
    with open(path, "a", encoding="utf-8") as log:
        log.write(f"--- {datetime.now().isoformat()} martechgate {__version__} {' '.join(sys.argv)}\n")
        log.write("".join(traceback.format_exception(error)))
    return path


# What a shell reports for a command stopped by SIGPIPE (`martechgate ... | head`): the reader has all
# it wanted, so this is neither a finding nor an error worth a message.
EXIT_CLOSED_PIPE = 128 + signal.SIGPIPE


def _quiet_after_closed_pipe() -> None:
    # Python flushes stdout once more at exit, which would raise again into the closed pipe and print
    # "Exception ignored"; point it at /dev/null instead (the Python documentation's recipe).
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class Cli(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"martechgate.cli.{module_name}"), attribute)
        assert isinstance(command, click.Command)
        return command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MartechgateError as error:
            # The message may quote a file name or a value: its control characters are shown escaped.
            from martechgate.formats.controls import visible  # only when there is an error to show

            where = visible(error.location())
            text = f"{where}: {visible(error.message)}" if where else visible(error.message)
            click.secho(f"martechgate: {text}" + (f"\n  {error.hint}" if error.hint else ""), err=True, fg="red")
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            _quiet_after_closed_pipe()
            ctx.exit(EXIT_CLOSED_PIPE)
        except KeyboardInterrupt:
            click.echo("martechgate: interrupted; nothing was written.", err=True)
            ctx.exit(EXIT_CANNOT_RUN)
        except Exception as error:  # the last guard: a user never sees a traceback
            path = _log_unexpected(error)
            click.secho(
                f"martechgate: unexpected internal error ({type(error).__name__}: {error}).\n"
                f"  Details are in {path}; please report them.",
                err=True,
                fg="red",
            )
            ctx.exit(EXIT_CANNOT_RUN)
        return None


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="martechgate")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Policy-as-code governance for SaaS tools: a git catalog, checked in CI, approved jointly."""
    # A command builds tens of thousands of long-lived objects at once (located values, findings, cache
    # records), and at the default thresholds the collector walks them again and again as they grow: a
    # warm check of 10,000 entries after one edit spent a quarter of its CPU there. mypy runs with the
    # same setting for the same reason. Put back when the command ends, for a program that runs
    # commands in its own process (the tests do).
    # (Not when the process ends with the command, as `martechgate` does: at the old thresholds the
    # collector would walk every object the command made, a tenth of a second after a big check.)
    if ctx.obj is not _OWN_PROCESS:
        thresholds = gc.get_threshold()
        ctx.call_on_close(lambda: gc.set_threshold(*thresholds))
    gc.set_threshold(200_000, 30, 30)


_OWN_PROCESS = object()


def run() -> None:
    """The program (`martechgate`, `python -m martechgate`): one command, then the process ends."""
    main(obj=_OWN_PROCESS)

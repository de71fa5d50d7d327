"""The command line: parse options, call the core, render, exit. The only code that imports click.

Every command module is listed here, explicitly. Errors from the core are typed; `Cli.invoke` maps
them to exit codes in one place, and an unexpected error is logged to a file rather than shown as
a traceback.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import datetime

import click

from martechgate import __version__
from martechgate.cli import (
    auditing,
    checking,
    discovering,
    github_setup,
    proposing,
    publishing,
    reviewing,
    starting,
    vendors,
)
from martechgate.errors import EXIT_CANNOT_RUN, MartechgateError

COMMAND_MODULES = (checking, starting, proposing, reviewing, vendors, auditing, discovering, github_setup,
                   publishing)


def _log_unexpected(error: BaseException) -> str:
    folder = os.environ.get("MARTECHGATE_LOG_DIR") or os.path.join(tempfile.gettempdir(), "martechgate")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "martechgate.log")
    with open(path, "a", encoding="utf-8") as log:
        log.write(f"--- {datetime.now().isoformat()} martechgate {__version__} {' '.join(sys.argv)}\n")
        log.write("".join(traceback.format_exception(error)))
    return path


class Cli(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except MartechgateError as error:
            click.secho(f"martechgate: {error}", err=True, fg="red")
            ctx.exit(error.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("martechgate: interrupted; nothing was written.", err=True)
            ctx.exit(EXIT_CANNOT_RUN)
        except Exception as error:  # the last guard: a user never sees a traceback
            path = _log_unexpected(error)
            click.secho(f"martechgate: unexpected internal error ({type(error).__name__}: {error}).\n"
                        f"  Details are in {path}; please report them.", err=True, fg="red")
            ctx.exit(EXIT_CANNOT_RUN)
        return None


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="martechgate")
def main() -> None:
    """Policy-as-code governance for SaaS tools: a git catalog, checked in CI, approved jointly."""


for module in COMMAND_MODULES:
    for command in module.COMMANDS:
        main.add_command(command)

"""The `auditor` command line: scan, rules, baseline, config, collect, run."""

from __future__ import annotations

import sys

import click

from auditor import __version__
from auditor.cli.baseline_cmd import baseline
from auditor.cli.collect_cmd import collect
from auditor.cli.config_cmd import config
from auditor.cli.demo_cmd import demo
from auditor.cli.rules_cmd import rules
from auditor.cli.run_cmd import run
from auditor.cli.scan_cmd import scan
from auditor.errors import AuditorError

EXIT_INPUT_ERROR = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="auditor")
def cli() -> None:
    """Reliability and compliance auditing for data platforms on Google Cloud."""


cli.add_command(scan)
cli.add_command(rules)
cli.add_command(baseline)
cli.add_command(config)
cli.add_command(collect)
cli.add_command(run)
cli.add_command(demo)


def main() -> None:
    """Run the CLI; input, config and usage errors become one line on stderr and exit 2."""
    try:
        # Without standalone mode click returns a command's ctx.exit() code instead of exiting.
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_INPUT_ERROR)
    except AuditorError as exc:
        problems = getattr(exc, "problems", None) or [exc]
        for problem in problems:
            click.echo(f"error: {problem.one_line()}", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    sys.exit(code if isinstance(code, int) else 0)

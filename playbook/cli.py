"""The command line: parses arguments, calls the pipeline, prints, sets the exit status.

This is the only module that prints or exits. Bad input is reported as located diagnostics with
exit status 1; a usage error exits with 2; a traceback means a bug in playbook itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from playbook import __version__
from playbook.diagnostics import BuildFailed, format_text
from playbook.writer import UnsafeOutput


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date; write it as YYYY-MM-DD, for example 2026-11-15"
        ) from None


def _add_project(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "project",
        nargs="?",
        default=".",
        type=Path,
        help="the playbook folder (holds content/, optional templates/ and playbook.toml); "
        "default: the current folder",
    )
    parser.add_argument(
        "--as-of",
        type=_date,
        metavar="DATE",
        help="the date that 'today' means for this run (YYYY-MM-DD); default: as_of in "
        "playbook.toml, else SOURCE_DATE_EPOCH, else today",
    )


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playbook",
        description="Validate Strategic Selling deal files and build them into a static site.",
    )
    parser.add_argument("--version", action="version", version=f"playbook {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser(
        "build",
        help="validate the playbook and build the site",
        description="Validate every deal and method page, then build the static site. "
        "On any error nothing is written and the previous site stays as it was.",
    )
    _add_project(build)
    build.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output folder (default: site/ inside the project folder)",
    )
    build.add_argument("--drafts", action="store_true", help="include deals marked draft: true")
    build.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    _add_speed(build)
    build.add_argument(
        "--stats",
        action="store_true",
        help="print pages written, cache hits and misses, and the time of each stage",
    )
    build.set_defaults(handler=cmd_build)

    check = commands.add_parser(
        "check",
        help="validate the playbook without building",
        description="Report every error of every file, then the red flags as warnings. "
        "Nothing is written (except the build cache).",
    )
    _add_project(check)
    _add_speed(check)
    check.set_defaults(handler=cmd_check)

    clean = commands.add_parser(
        "clean",
        help="remove the build cache and the built site",
        description="Remove PROJECT/.playbook-cache/ and the site folder "
        "(only if playbook made it).",
    )
    _add_project(clean)
    clean.add_argument("--out", type=Path, default=None, metavar="DIR", help="the site folder")
    clean.set_defaults(handler=cmd_clean)
    return parser


# ---- speed: --jobs and --no-cache (issue 5) ----------------------------------------------------


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of processes (1 or more)")
    return value


def _add_speed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        metavar="N",
        help="build deals in N processes (default: one per core; 1: no extra processes)",
    )
    parser.add_argument(
        "--no-cache",
        dest="use_cache",
        action="store_false",
        help="neither read nor write PROJECT/.playbook-cache/ (the output is the same)",
    )


def _notices(notices: list[str]) -> None:
    for notice in notices:
        print(f"playbook: {notice}", file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    from playbook.pipeline import check

    notices: list[str] = []
    problems = check(
        args.project, as_of=args.as_of, jobs=args.jobs, use_cache=args.use_cache, notices=notices
    )
    _notices(notices)
    sys.stderr.write(format_text(problems))
    errors = sum(1 for d in problems if d.severity == "error")
    return 1 if errors else 0


def cmd_clean(args: argparse.Namespace) -> int:
    from playbook.cache import clean
    from playbook.writer import remove_site

    out: Path = args.out if args.out is not None else args.project / "site"
    removed = clean(args.project) + remove_site(out)
    for path in removed:
        print(f"removed {path}")
    return 0


# -------------------------------------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    from playbook.pipeline import build
    from playbook.progress import Progress

    root: Path = args.project
    out: Path = args.out if args.out is not None else root / "site"
    result = build(
        root,
        out,
        as_of=args.as_of,
        drafts=args.drafts,
        jobs=args.jobs,
        use_cache=args.use_cache,
        progress=Progress(None if args.quiet else sys.stderr),
    )
    _notices(result.notices)
    if args.stats:
        print("\n".join(result.stats.lines()))
    if not args.quiet:
        flagged = len({w.path for w in result.warnings})
        print(
            f"built {result.deals} deals into {out} ({result.pages} files); "
            f"{len(result.warnings)} red flags on {flagged} deals"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if not args.project.is_dir():
        print(f"playbook: {args.project} is not a folder", file=sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except BuildFailed as failed:
        sys.stderr.write(format_text(failed.diagnostics))
        count = sum(1 for d in failed.diagnostics if d.severity == "error")
        print(f"playbook: {count} error(s); nothing was written", file=sys.stderr)
        return 1
    except UnsafeOutput as exc:
        print(f"playbook: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130

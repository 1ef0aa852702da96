"""The command line: parses arguments, calls the pipeline, prints, sets the exit status.

This is the only module that prints or exits. Bad input is reported as located diagnostics with
exit status 1; a usage error exits with 2; a traceback means a bug in playbook itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from playbook import __version__
from playbook.diagnostics import FORMATTERS, BuildFailed, Severity, format_text
from playbook.formatting import counted
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


def _port(text: str) -> int:
    if text.isdigit() and int(text) <= 65535:
        return int(text)
    raise argparse.ArgumentTypeError(f"'{text}' is not a port; give a number from 0 to 65535")


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
        help="validate the playbook without building it",
        description="Validate every deal (drafts too) and method page, and the links between "
        "them, without writing anything. Red flags are reported as warnings. Exit status: 0 "
        "when there is no error, 1 on errors (or on warnings with --strict), 2 on a usage error.",
    )
    _add_project(check)
    check.add_argument(
        "--format",
        choices=list(FORMATTERS),
        default="text",
        help="text: PATH:LINE: FIELD: message (default); json: a list of objects; "
        "github: annotations for a GitHub Actions workflow",
    )
    check.add_argument("--strict", action="store_true", help="fail on warnings (red flags) too")
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

    serve = commands.add_parser(
        "serve",
        help="serve the site while you write, rebuilding and reloading on every change",
        description="Build the site, serve it, and rebuild it whenever a file of content/, "
        "templates/ or playbook.toml changes; the open page reloads by itself and shows "
        "errors over the page until they are fixed. Stop with Ctrl-C.",
    )
    _add_project(serve)
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this computer only)",
    )
    serve.add_argument(
        "--port", type=_port, default=8000, help="port (default: 8000; 0: any free port)"
    )
    serve.add_argument("--drafts", action="store_true", help="include deals marked draft: true")
    serve.set_defaults(handler=cmd_serve)

    init = commands.add_parser(
        "init",
        help="create a new playbook",
        description="Create a new playbook in DIR (a new or empty folder): settings, the method "
        "guidance, an example deal, a .gitignore and a GitHub Actions workflow.",
    )
    init.add_argument("directory", type=Path, metavar="DIR", help="the new playbook's folder")
    init.set_defaults(handler=cmd_init)

    new = commands.add_parser(
        "new",
        help="start a new deal file",
        description="Write content/deals/SLUG.md, with every field present and explained. "
        "The slug comes from the title; an existing file is never replaced.",
    )
    new.add_argument("kind", choices=["deal"], help="what to create (deal)")
    new.add_argument("title", help='"Customer - Opportunity", for example "Acme Corp - Renewal"')
    new.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        metavar="DIR",
        help="the playbook folder (default: the current folder)",
    )
    new.set_defaults(handler=cmd_new)

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of a deal's front-matter",
        description="Print the JSON Schema of a deal's front-matter, with the playbook's own "
        "stages, for editors that check YAML as you type.",
    )
    schema.add_argument(
        "project",
        nargs="?",
        default=Path("."),
        type=Path,
        help="the playbook folder (default: the current folder)",
    )
    schema.set_defaults(handler=cmd_schema)
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
        flagged = len({path for path, *_ in result.flags})
        print(
            f"built {counted(result.deals, 'deal')} into {out} ({counted(result.pages, 'file')}); "
            f"{counted(len(result.flags), 'red flag')} on {counted(flagged, 'deal')}"
        )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from playbook.pipeline import check

    notices: list[str] = []
    diagnostics = check(
        args.project, as_of=args.as_of, jobs=args.jobs, use_cache=args.use_cache, notices=notices
    )
    _notices(notices)
    sys.stdout.write(FORMATTERS[args.format](diagnostics))
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    warnings = len(diagnostics) - errors
    print(
        f"playbook check: {counted(errors, 'error')}, {counted(warnings, 'warning')}",
        file=sys.stderr,
    )
    return 1 if errors or (args.strict and warnings) else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from playbook.serve import ServeError, serve

    def say(text: str) -> None:
        print(text, flush=True)

    def warn(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    try:
        serve(
            args.project,
            host=args.host,
            port=args.port,
            as_of=args.as_of,
            drafts=args.drafts,
            say=say,
            warn=warn,
        )
    except ServeError as exc:
        print(f"playbook: {exc}", file=sys.stderr)
        return 1
    except BuildFailed as failed:  # not a playbook folder: nothing to serve
        sys.stderr.write(format_text(failed.diagnostics))
        print("playbook: the server was not started", file=sys.stderr)
        return 1
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from playbook.scaffolding import ScaffoldRefused, init

    try:
        written = init(args.directory)
    except ScaffoldRefused as exc:
        print(f"playbook: {exc}", file=sys.stderr)
        return 1
    print(f"created a new playbook in {args.directory}:")
    for path in written:
        print(f"  {path}")
    print(f"next: cd {args.directory} && playbook serve")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from playbook.scaffolding import BadTitle, ScaffoldRefused, is_playbook, new_deal

    root: Path = args.project
    if not is_playbook(root):
        print(
            f"playbook: {root} is not a playbook (it has no playbook.toml and no content/ "
            "folder); run this inside one, or give its folder with --project",
            file=sys.stderr,
        )
        return 2
    try:
        created = new_deal(root, args.title)
    except ScaffoldRefused as exc:
        print(f"playbook: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, BadTitle) else 1
    if created.settings_problems:
        sys.stderr.write(format_text(created.settings_problems))
        print(
            "playbook: playbook.toml has errors; the new deal uses the default stages",
            file=sys.stderr,
        )
    print(f"wrote {created.rel}: fill it in, then run playbook check")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from playbook.config import CONFIG_FILE, load_settings
    from playbook.diagnostics import Diagnostic
    from playbook.schema import deal_json_schema

    problems: list[Diagnostic] = []
    settings = load_settings(args.project, problems)
    if problems:
        sys.stderr.write(format_text(problems))
        print(f"playbook: {CONFIG_FILE} has errors; no schema printed", file=sys.stderr)
        return 1
    schema = deal_json_schema(tuple(settings.stages.order))
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    folder = getattr(args, "project", None)
    if folder is not None and not folder.is_dir():
        print(f"playbook: {folder} is not a folder", file=sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except BuildFailed as failed:
        sys.stderr.write(format_text(failed.diagnostics))
        count = sum(1 for d in failed.diagnostics if d.severity == "error")
        print(f"playbook: {counted(count, 'error')}; nothing was written", file=sys.stderr)
        return 1
    except UnsafeOutput as exc:
        print(f"playbook: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130

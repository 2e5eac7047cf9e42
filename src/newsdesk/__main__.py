"""The ``newsdesk`` command: Django's management utility with newsdesk's settings.

``newsdesk extract`` and ``newsdesk geoparse`` (and ``newsdesk help extract|geoparse``) skip
Django: they need no database, and loading the settings would create the data directory.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["extract"] or args[:2] == ["help", "extract"]:
        from newsdesk import extract_cli

        sys.exit(extract_cli.main(args[1:] if args[0] == "extract" else ["--help"]))
    if args[:1] == ["geoparse"] or args[:2] == ["help", "geoparse"]:
        from newsdesk import geoparse_cli

        sys.exit(geoparse_cli.main(args[1:] if args[0] == "geoparse" else ["--help"]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["newsdesk", *args])


if __name__ == "__main__":
    main()
